package io.hps.update;

import java.util.function.Consumer;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.ByteArrayCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis pub/sub on the channel {@code hps_updates}: every replica connected to the same Redis
 * (or cluster) receives every notice. Delivery is at most once (pub/sub has no replay); a replica
 * that misses notices converges at its next cache refresh ({@code refresh_interval}).
 */
public final class RedisUpdateChannel implements UpdateChannel {
    public static final String CHANNEL = "hps_updates";
    private static final Logger log = LoggerFactory.getLogger(RedisUpdateChannel.class);

    private final RedissonClient client;
    private final RTopic topic;

    /** Takes ownership of {@code client}, which {@link #close()} shuts down. */
    public RedisUpdateChannel(RedissonClient client) {
        this.client = client;
        this.topic = client.getTopic(CHANNEL, ByteArrayCodec.INSTANCE);
    }

    @Override
    public void publish(UpdateNotice notice) {
        topic.publishAsync(notice.encode()).exceptionally(e -> {
            log.warn("update notice not published: model={} table={} keys={} error={}",
                    notice.model(), notice.table(), notice.keys().length, e.toString());
            return 0L;
        });
    }

    @Override
    public void subscribe(Consumer<UpdateNotice> listener) {
        topic.addListener(byte[].class, (channel, bytes) -> {
            try {
                listener.accept(UpdateNotice.decode(bytes));
            } catch (RuntimeException e) {
                log.warn("update notice dropped: bytes={} error={}", bytes.length, e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        topic.removeAllListeners();
        client.shutdown();
    }
}
