package io.hps.gpu.table;

import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.GpuException;
import io.hps.gpu.PinnedBuffer;
import io.hps.gpu.cache.DeviceHashTable;
import io.hps.gpu.cache.HashTableShape;
import io.hps.gpu.cache.TableOutcome;
import io.hps.model.TableSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.stream.IntStream;
import jcuda.driver.CUdeviceptr;

/**
 * Every row of every table of a model resident in one static {@link DeviceHashTable} (HugeCTR's static table):
 * keys ({@link RowSource#key}) encoded by {@link TableKeys}, filled once at start-up from a {@link RowSource}, never evicted. A key that is
 * in no table gets the zero vector.
 *
 * <p>Threads: owner thread of the device only.
 */
public final class StaticEmbeddingTable implements AutoCloseable {

    private static final int LOAD_ROWS = 1 << 18;
    private static final int LOAD_SLICE_ROWS = 8192;

    private final DeviceHashTable table;
    private final long tick = 1;

    private StaticEmbeddingTable(DeviceHashTable table) {
        this.table = table;
    }

    /** Allocates the table and fills it with every row of {@code tables} from {@code rows}; blocks until done. */
    public static StaticEmbeddingTable load(DeviceContext context, List<TableSpec> tables, RowSource rows) {
        long total = tables.stream().mapToLong(TableSpec::rows).sum();
        int dim = tables.getFirst().dimension();
        DeviceHashTable table = DeviceHashTable.allocate(context, HashTableShape.staticTable(total, dim));
        try (PinnedBuffer hostKeys = context.allocatePinned((long) LOAD_ROWS * Long.BYTES);
             PinnedBuffer hostRows = context.allocatePinned((long) LOAD_ROWS * dim * Float.BYTES);
             PinnedBuffer hostOutcome = context.allocatePinned(TableOutcome.BYTES);
             DeviceBuffer keys = context.allocate((long) LOAD_ROWS * Long.BYTES);
             DeviceBuffer vectors = context.allocate((long) LOAD_ROWS * dim * Float.BYTES)) {
            ChunkLoad load = new ChunkLoad(context, table, hostKeys, hostRows, hostOutcome, keys, vectors);
            for (int t = 0; t < tables.size(); t++) {
                for (long first = 0; first < tables.get(t).rows(); first += LOAD_ROWS) {
                    load.chunk(rows, t, first, (int) Math.min(LOAD_ROWS, tables.get(t).rows() - first), dim);
                }
            }
        } catch (RuntimeException e) {
            table.close();
            throw e;
        }
        return new StaticEmbeddingTable(table);
    }

    private record ChunkLoad(DeviceContext context, DeviceHashTable table, PinnedBuffer hostKeys,
                             PinnedBuffer hostRows, PinnedBuffer hostOutcome, DeviceBuffer keys,
                             DeviceBuffer vectors) {
        void chunk(RowSource rows, int t, long first, int count, int dim) {
            MemorySegment k = hostKeys.segment();
            for (int i = 0; i < count; i++) {
                k.setAtIndex(ValueLayout.JAVA_LONG, i, TableKeys.encode(t, rows.key(t, first + i)));
            }
            long sliceBytes = (long) LOAD_SLICE_ROWS * dim * Float.BYTES;
            IntStream.range(0, Math.ceilDiv(count, LOAD_SLICE_ROWS)).parallel().forEach(s -> {
                int n = Math.min(LOAD_SLICE_ROWS, count - s * LOAD_SLICE_ROWS);
                rows.read(t, first + (long) s * LOAD_SLICE_ROWS, n,
                        hostRows.segment().asSlice(s * sliceBytes, (long) n * dim * Float.BYTES));
            });
            keys.copyFromAsync(hostKeys, (long) count * Long.BYTES);
            vectors.copyFromAsync(hostRows, (long) count * dim * Float.BYTES);
            table.replace(keys.pointer(), count, vectors.pointer(), 1);
            table.copyOutcomeAsync(hostOutcome);
            context.synchronize();
            TableOutcome outcome = TableOutcome.read(hostOutcome.segment());
            if (outcome.rejected()) {
                throw new GpuException("static table full: table=" + t + " firstRow=" + first + " rowsUsed="
                        + outcome.rowsUsed() + " rows=" + table.shape().rows());
            }
        }
    }

    /**
     * Enqueues the query of {@code count} encoded keys into {@code out} ({@code count x dimension} floats) and the
     * copy of its outcome to the staging's pinned outcome. Rows of unknown keys are left alone until
     * {@link #zeroMisses} runs.
     */
    public void enqueueQuery(CUdeviceptr keys, int count, CUdeviceptr out, BatchStaging staging) {
        table.query(keys, count, out, staging.misses.pointer(), tick);
        table.copyOutcomeAsync(staging.hostOutcome);
    }

    /**
     * Enqueues the query of {@code count} encoded keys into {@code out} with the zero vector for unknown keys:
     * {@code out} is complete once the stream has passed it. No outcome is copied back (a caller that answers before
     * the stream has run has no use for it, and the copy would delay whoever waits for {@code out}).
     */
    public void enqueueQueryOrZero(CUdeviceptr keys, int count, CUdeviceptr out, BatchStaging staging) {
        table.queryOrZero(keys, count, out, staging.misses.pointer(), tick);
    }

    /** Writes the zero vector into the rows of the {@code missed} unknown keys of the last query; waits for it. */
    public void zeroMisses(DeviceContext context, BatchStaging staging, int missed, CUdeviceptr out) {
        int[] indices = staging.missIndices(context, missed);
        long rowBytes = staging.rowBytes();
        for (int index : indices) {
            cuMemsetD32Async(out.withByteOffset(index * rowBytes), 0, rowBytes / Float.BYTES, context.stream());
        }
        context.synchronize();
    }

    @Override
    public void close() {
        table.close();
    }
}
