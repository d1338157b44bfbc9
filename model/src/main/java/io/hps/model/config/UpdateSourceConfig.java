package io.hps.model.config;

import java.util.List;

/**
 * Where online embedding updates come from, HugeCTR's {@code update_source} object.
 * {@link #defaults()} holds HugeCTR 24.06's defaults (no update source).
 *
 * @param type                      {@code type}
 * @param brokers                   {@code brokers}: Kafka brokers {@code host[:port][;host[:port]...]}
 * @param metadataRefreshIntervalMillis {@code metadata_refresh_interval_ms}
 * @param receiveBufferSizeBytes    {@code receive_buffer_size}
 * @param pollTimeoutMillis         {@code poll_timeout_ms}
 * @param maxBatchSize              {@code max_batch_size}: keys per dispatched chunk
 * @param failureBackoffMillis      {@code failure_backoff_ms}
 * @param maxCommitInterval         {@code max_commit_interval}: messages between commits
 */
public record UpdateSourceConfig(Type type, String brokers, long metadataRefreshIntervalMillis,
        long receiveBufferSizeBytes, long pollTimeoutMillis, long maxBatchSize, long failureBackoffMillis,
        long maxCommitInterval) {

    /** Update source implementations, with HugeCTR's spellings (the first one is canonical). */
    public enum Type {
        NULL("null", "none"),
        KAFKA_MESSAGE_QUEUE("kafka_message_queue", "kafka_mq", "kafka");

        private final List<String> spellings;

        Type(String... spellings) {
            this.spellings = List.of(spellings);
        }

        public String jsonName() {
            return spellings.getFirst();
        }

        List<String> spellings() {
            return spellings;
        }
    }

    public UpdateSourceConfig {
        Checks.atLeast(1, "receive_buffer_size", receiveBufferSizeBytes);
        Checks.atLeast(1, "max_batch_size", maxBatchSize);
        Checks.atLeast(1, "max_commit_interval", maxCommitInterval);
        if (type != Type.NULL) {
            Checks.notBlank("brokers", brokers);
        }
    }

    /** HugeCTR 24.06's {@code UpdateSourceParams()}. */
    public static UpdateSourceConfig defaults() {
        return new UpdateSourceConfig(Type.NULL, "127.0.0.1:9092", 30_000, 256 * 1024, 500, 8 * 1024, 50, 32);
    }
}
