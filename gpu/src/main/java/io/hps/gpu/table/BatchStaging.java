package io.hps.gpu.table;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.PinnedBuffer;
import io.hps.gpu.cache.TableOutcome;
import io.hps.model.DlrmArchitecture;
import io.hps.model.workload.Batch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The per-request buffers of a GPU path, allocated once for the largest batch: pinned host staging for keys, dense
 * features, scores, miss indices and table outcomes; device buffers for encoded keys ({@code [batch, tables]}
 * int64), dense features ({@code [batch, denseFeatures]} float32), embeddings ({@code [batch, tables, dimension]}
 * float32) and miss indices (int32).
 *
 * <p>Threads: owner thread of the device only; one request at a time.
 */
public final class BatchStaging implements AutoCloseable {

    public final PinnedBuffer hostKeys;
    public final PinnedBuffer hostDense;
    public final PinnedBuffer hostScores;
    public final PinnedBuffer hostMisses;
    public final PinnedBuffer hostOutcome;
    public final DeviceBuffer keys;
    public final DeviceBuffer dense;
    public final DeviceBuffer embeddings;
    public final DeviceBuffer misses;
    private final int tables;
    private final int denseFeatures;
    private final long rowBytes;

    public BatchStaging(DeviceContext context, DlrmArchitecture arch, int maxBatchSize, boolean withEmbeddings) {
        this.tables = arch.tableCount();
        this.denseFeatures = arch.denseFeatures();
        this.rowBytes = (long) arch.embeddingDimension() * Float.BYTES;
        long lookups = (long) maxBatchSize * tables;
        this.hostKeys = context.allocatePinned(lookups * Long.BYTES);
        this.hostDense = context.allocatePinned((long) maxBatchSize * denseFeatures * Float.BYTES);
        this.hostScores = context.allocatePinned((long) maxBatchSize * Float.BYTES);
        this.hostMisses = context.allocatePinned(lookups * Integer.BYTES);
        this.hostOutcome = context.allocatePinned(TableOutcome.BYTES);
        this.keys = context.allocate(lookups * Long.BYTES);
        this.dense = context.allocate((long) maxBatchSize * denseFeatures * Float.BYTES);
        this.embeddings = withEmbeddings ? context.allocate(lookups * rowBytes) : null;
        this.misses = context.allocate(lookups * Integer.BYTES);
    }

    /** Writes the batch's encoded keys and dense features to pinned memory and enqueues their copies. */
    public void enqueueInputs(Batch batch) {
        int n = batch.batchSize();
        TableKeys.stage(batch.keys(), n, tables, hostKeys.segment());
        MemorySegment.copy(batch.dense(), 0, hostDense.segment(), ValueLayout.JAVA_FLOAT, 0, n * denseFeatures);
        keys.copyFromAsync(hostKeys, (long) n * tables * Long.BYTES);
        dense.copyFromAsync(hostDense, (long) n * denseFeatures * Float.BYTES);
    }

    /** Enqueues the copy of {@code batch} scores from {@code scores} to {@link #hostScores}. */
    public void enqueueScores(DeviceBuffer scores, int batch) {
        scores.copyToAsync(hostScores, (long) batch * Float.BYTES);
    }

    /** The scores copied by {@link #enqueueScores}; the stream must have passed the copy. */
    public float[] scores(int batch) {
        float[] out = new float[batch];
        MemorySegment.copy(hostScores.segment(), ValueLayout.JAVA_FLOAT, 0, out, 0, batch);
        return out;
    }

    /** The last outcome copied to {@link #hostOutcome}; the stream must have passed the copy. */
    public TableOutcome outcome() {
        return TableOutcome.read(hostOutcome.segment());
    }

    /** Copies {@code count} miss indices from the device, waiting for the stream; returns them. */
    public int[] missIndices(DeviceContext context, int count) {
        misses.copyToAsync(hostMisses, (long) count * Integer.BYTES);
        context.synchronize();
        int[] out = new int[count];
        MemorySegment.copy(hostMisses.segment(), ValueLayout.JAVA_INT, 0, out, 0, count);
        return out;
    }

    /** The encoded key at lookup index {@code index} of the staged batch. */
    public long stagedKey(int index) {
        return hostKeys.segment().getAtIndex(ValueLayout.JAVA_LONG, index);
    }

    public long rowBytes() {
        return rowBytes;
    }

    @Override
    public void close() {
        for (PinnedBuffer p : List.of(hostKeys, hostDense, hostScores, hostMisses, hostOutcome)) {
            p.close();
        }
        for (DeviceBuffer d : embeddings == null ? List.of(keys, dense, misses) : List.of(keys, dense, embeddings,
                misses)) {
            d.close();
        }
    }
}
