package io.hps.dense.path;

import io.hps.dense.gpu.GpuPath;
import io.hps.model.DlrmArchitecture;
import io.hps.model.workload.Batch;
import io.hps.store.ParameterServer;
import io.hps.wire.EmbeddingSection;
import io.hps.wire.ErrorCode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A native or fused instance on the GPU: a {@link GpuPath} behind the {@link ScoringPath} contract, so the transport
 * serves it like any other instance. Per call: the input checks of the CPU paths ({@link InputCheck}), the dense
 * features and keys copied into the arrays of a {@link Batch}, the batch queued on the device's owner thread and
 * awaited for at most {@link GpuSettings#timeoutMillis()}, the scores copied into {@code out}.
 *
 * <p>The device looks the embeddings up and runs the network in one pass: {@code dense.compute.latency} records
 * that whole round trip (staging, lookup, tier fetches of a fused instance's cache misses, forward, scores back,
 * queueing behind other batches included); {@code dense.lookup.latency} is not recorded.
 *
 * <p>Errors: the deadline passed, {@link ErrorCode#DEADLINE_EXCEEDED} (the batch still runs on the device, its
 * scores are dropped); anything the device or a tier threw, {@link ErrorCode#INTERNAL}. Inline embeddings
 * ("score") are refused with {@link ErrorCode#BAD_REQUEST}: a GPU instance serves keys only.
 */
final class GpuScoringPath implements ScoringPath {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final PathSettings settings;
    private final DlrmArchitecture architecture;
    private final int maxBatch;
    private final PathMetrics metrics;
    private final GpuPath path;
    private final ParameterServer tiers;
    private final long timeoutMillis;

    /**
     * @param tiers the fused instance's parameter server, closed after {@code path}; null for native
     */
    GpuScoringPath(PathSettings settings, DlrmArchitecture architecture, int maxBatch, PathMetrics metrics,
                   GpuPath path, ParameterServer tiers, GpuSettings gpu) {
        this.settings = settings;
        this.architecture = architecture;
        this.maxBatch = maxBatch;
        this.metrics = metrics;
        this.path = path;
        this.tiers = tiers;
        this.timeoutMillis = gpu.timeoutMillis();
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public PathKind kind() {
        return settings.kind();
    }

    @Override
    public DlrmArchitecture architecture() {
        return architecture;
    }

    @Override
    public int maxBatchSize() {
        return maxBatch;
    }

    @Override
    public PathMetrics metrics() {
        return metrics;
    }

    @Override
    public void score(int batch, MemorySegment dense, MemorySegment keys, float[] out) {
        InputCheck.infer(this, batch, dense, keys, out);
        Batch request = new Batch(batch, dense.toArray(F32), keys.toArray(I64));
        long start = System.nanoTime();
        float[] scores = await(submit(request));
        metrics.computed(batch, System.nanoTime() - start);
        System.arraycopy(scores, 0, out, 0, batch);
    }

    @Override
    public void scoreEmbeddings(int batch, MemorySegment dense, EmbeddingSection embeddings, float[] out) {
        throw new ScoringException(ErrorCode.BAD_REQUEST, "inline embeddings are not served on the GPU, this instance "
                + "serves only keys (infer): model=" + name() + " path=" + kind().tagValue() + " device=gpu");
    }

    /**
     * Runs synthetic batches (key 0 of every table, zero dense features) of the largest size, 64 samples and one
     * sample for {@code duration}, each size at least once: kernels loaded, buffers touched, code compiled.
     */
    void warmUp(Duration duration) {
        int[] sizes = {maxBatch, Math.min(64, maxBatch), 1};
        Batch[] batches = new Batch[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            batches[i] = new Batch(sizes[i], new float[sizes[i] * architecture.denseFeatures()],
                    new long[sizes[i] * architecture.tableCount()]);
        }
        long end = System.nanoTime() + duration.toNanos();
        for (int call = 0; call < batches.length || System.nanoTime() - end < 0; call++) {
            await(submit(batches[call % batches.length]));
        }
    }

    private CompletableFuture<float[]> submit(Batch batch) {
        try {
            return path.score(batch);
        } catch (RuntimeException e) {
            throw new ScoringException(ErrorCode.INTERNAL, "GPU refused the batch: model=" + name() + " error=" + e, e);
        }
    }

    private float[] await(CompletableFuture<float[]> scores) {
        try {
            return scores.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScoringException(ErrorCode.INTERNAL, "interrupted while waiting for the GPU: model=" + name());
        } catch (TimeoutException e) {
            throw new ScoringException(ErrorCode.DEADLINE_EXCEEDED, "GPU scores not back in time: model=" + name()
                    + " timeoutMillis=" + timeoutMillis);
        } catch (ExecutionException e) {
            throw new ScoringException(ErrorCode.INTERNAL, "GPU scoring failed: model=" + name() + " error="
                    + e.getCause(), e.getCause());
        }
    }

    /** Frees the device buffers (waiting for batches in flight), then the fused instance's tiers. */
    @Override
    public void close() {
        try {
            path.close();
        } finally {
            if (tiers != null) {
                tiers.close();
            }
        }
    }
}
