package io.hps.gateway.backend;

import io.hps.gateway.repository.ModelKind;
import io.hps.gateway.repository.ModelRepository;
import io.hps.gateway.repository.ServedModel;
import io.hps.gateway.stats.ModelStatistics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * The path from each served model to its backend: one RSocket client per distinct replica list
 * (shared by the models on it) and one {@link DynamicBatcher} per model. DLRM requests are merged
 * into score batches; embedding lookups go one request per frame (their per-table key counts do
 * not merge), through the same admission queue. Thread-safe.
 */
public final class ModelRoutes implements AutoCloseable {
    private final Map<List<InetSocketAddress>, BackendClient> clients;
    private final Map<String, DynamicBatcher<ScoreCodec.Payload>> scorers;
    private final Map<String, DynamicBatcher<LookupCodec.Payload>> lookups;
    private final ScheduledExecutorService timer;

    private ModelRoutes(Map<List<InetSocketAddress>, BackendClient> clients,
                        Map<String, DynamicBatcher<ScoreCodec.Payload>> scorers,
                        Map<String, DynamicBatcher<LookupCodec.Payload>> lookups, ScheduledExecutorService timer) {
        this.clients = clients;
        this.scorers = scorers;
        this.lookups = lookups;
        this.timer = timer;
    }

    /**
     * Builds the routes of every model; connections open lazily on first use.
     *
     * @param statistics by model name, one per model of the repository
     */
    public static ModelRoutes connect(ModelRepository repository, Map<String, ModelStatistics> statistics,
                                      ByteBufAllocator allocator, Duration keepAlive) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("gateway-batch-timer").daemon().factory());
        AtomicLong requestIds = new AtomicLong();
        Map<List<InetSocketAddress>, BackendClient> clients = new HashMap<>();
        Map<String, DynamicBatcher<ScoreCodec.Payload>> scorers = new HashMap<>();
        Map<String, DynamicBatcher<LookupCodec.Payload>> lookups = new HashMap<>();
        for (ServedModel model : repository.models()) {
            BackendClient client = clients.computeIfAbsent(model.backend().addresses(),
                    a -> BackendClient.connect(a, keepAlive));
            Duration timeout = Duration.of(model.backend().timeoutMicros(), ChronoUnit.MICROS);
            ModelStatistics stats = statistics.get(model.name());
            if (model.kind() == ModelKind.DLRM) {
                scorers.put(model.name(), new DynamicBatcher<>(model.backend().model(), model.batching(),
                        model.maxBatchSize(), true,
                        new ScoreCodec(allocator, model.denseFeatures(), model.tableCount()), client, timeout, stats,
                        timer, requestIds));
            } else {
                lookups.put(model.name(), new DynamicBatcher<>(model.backend().model(), model.batching(),
                        model.maxBatchSize(), false, new LookupCodec(allocator), client, timeout, stats, timer,
                        requestIds));
            }
        }
        return new ModelRoutes(Map.copyOf(clients), Map.copyOf(scorers), Map.copyOf(lookups), timer);
    }

    /**
     * Scores {@code samples} samples of DLRM model {@code model}; emits their float32 scores, a
     * buffer the subscriber releases. The buffers stay the caller's and readable until termination.
     *
     * @param dense         float32 {@code [samples, D]} little-endian
     * @param keys          int64 {@code [samples, T]} little-endian
     * @param deadlineNanos {@link System#nanoTime()} deadline, or {@link Long#MAX_VALUE}
     */
    public Mono<ByteBuf> score(String model, ByteBuf dense, ByteBuf keys, int samples, long deadlineNanos) {
        return scorers.get(model).submit(new ScoreCodec.Payload(dense, keys, samples), samples, deadlineNanos);
    }

    /**
     * Looks up the vectors of embedding model {@code model}; emits float32 vectors table-major, a
     * buffer the subscriber releases.
     *
     * @param keyCounts keys per table
     * @param keys      int64 little-endian, table-major
     */
    public Mono<ByteBuf> lookup(String model, int[] keyCounts, ByteBuf keys, long deadlineNanos) {
        int total = keys.readableBytes() / Long.BYTES;
        return lookups.get(model).submit(new LookupCodec.Payload(keyCounts, keys), Math.max(total, 1), deadlineNanos);
    }

    /** Requests of {@code model} waiting for a batch. */
    public int queued(String model) {
        DynamicBatcher<?> batcher = scorers.containsKey(model) ? scorers.get(model) : lookups.get(model);
        return batcher == null ? 0 : batcher.queued();
    }

    @Override
    public void close() {
        clients.values().forEach(BackendClient::close);
        timer.shutdownNow();
    }
}
