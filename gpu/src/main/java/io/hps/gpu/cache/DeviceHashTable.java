package io.hps.gpu.cache;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.GpuException;
import io.hps.gpu.KernelLaunch;
import io.hps.gpu.KernelModule;
import io.hps.gpu.PinnedBuffer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;

/**
 * A set-associative hash table of embedding vectors in device memory ({@code embedding_cache.cu}): sets of
 * {@link #WAYS} slots, a key's home set chosen by a 64-bit hash (Murmur3's finalizer), one warp per key probing
 * its set with {@code __ballot_sync}, an occupancy bit mask per set (no key value is reserved), per-slot stamps
 * for least-recently-used eviction and a per-set spin lock for writers of one launch.
 *
 * <h2>Layout</h2>
 * Slot {@code s} of set {@code s / 32}: key {@code int64}, stamp {@code uint64}, row {@code int32}; per set:
 * occupied mask, present mask, lock word; vectors: {@code rows x dimension} float32 row-major. An
 * {@link HashTableShape#evicting() evicting} table stores slot {@code s}'s vector in row {@code s}; a static one
 * hands out rows in insertion order and keeps a key's slot and row until {@link #clear()}.
 *
 * <h2>Operations</h2>
 * Each operation enqueues its kernels on the context's stream and returns; its {@link TableOutcome} is ready in
 * the pinned buffer passed to {@link #copyOutcomeAsync} once the stream has passed that copy. Operations must not
 * overlap: the owner's one stream serialises them, so a query never sees a write in progress. Keys, rows and
 * indices passed in are device buffers owned by the caller that must stay alive until the stream has passed the
 * operation. A batch may repeat keys: a replace keeps one of its rows, complete, for such a key.
 *
 * <p>Threads: owner thread of the context only.
 */
public final class DeviceHashTable implements AutoCloseable {
    /** Slots per set: one per lane of a warp. */
    public static final int WAYS = 32;

    static final String MODULE = "embedding_cache";
    private static final int THREADS = 256;
    private static final int WARPS_PER_BLOCK = THREADS / WAYS;
    private static final int BLOCKS_PER_SM = 16;

    private final DeviceContext context;
    private final HashTableShape shape;
    private final KernelModule module;
    private final DeviceBuffer slotKeys;
    private final DeviceBuffer stamps;
    private final DeviceBuffer slotRows;
    private final DeviceBuffer occupied;
    private final DeviceBuffer present;
    private final DeviceBuffer locks;
    private final DeviceBuffer vectors;
    private final DeviceBuffer outcome;

    private DeviceHashTable(DeviceContext context, HashTableShape shape, String moduleName) {
        this.context = context;
        this.shape = shape;
        this.module = context.module(moduleName);
        long slots = shape.slots();
        this.slotKeys = context.allocate(slots * Long.BYTES);
        this.stamps = context.allocate(slots * Long.BYTES);
        this.slotRows = context.allocate(shape.evicting() ? Integer.BYTES : slots * Integer.BYTES);
        this.occupied = context.allocate((long) shape.sets() * Integer.BYTES);
        this.present = context.allocate((long) shape.sets() * Integer.BYTES);
        this.locks = context.allocate((long) shape.sets() * Integer.BYTES);
        this.vectors = context.allocate(shape.rows() * shape.rowBytes());
        this.outcome = context.allocate(TableOutcome.BYTES);
    }

    /**
     * Allocates an empty table of this shape (every slot free, no rows handed out) and enqueues its
     * initialisation. Owner thread only.
     */
    public static DeviceHashTable allocate(DeviceContext context, HashTableShape shape) {
        return allocate(context, shape, MODULE);
    }

    /** As {@link #allocate(DeviceContext, HashTableShape)} with the kernels of another build of the module. */
    static DeviceHashTable allocate(DeviceContext context, HashTableShape shape, String moduleName) {
        DeviceHashTable table = new DeviceHashTable(context, shape, moduleName);
        table.zero(table.stamps, table.stamps.bytes());
        table.zero(table.locks, table.locks.bytes());
        table.clear();
        return table;
    }

    public HashTableShape shape() {
        return shape;
    }

    /**
     * Enqueues a query of {@code count} keys: the vector of each resident key {@code keys[i]} goes to row {@code i}
     * of {@code out} ({@code count x dimension} floats; rows of misses are left alone) and its slot is stamped with
     * {@code tick}; the batch index of each miss goes to {@code missIndices} ({@code count} int32), in no
     * particular order, and {@link TableOutcome#missed()} counts them.
     */
    public void query(CUdeviceptr keys, int count, CUdeviceptr out, CUdeviceptr missIndices, long tick) {
        query(keys, count, out, missIndices, tick, false);
    }

    /**
     * Enqueues a query like {@link #query} that also writes the zero vector into the row of each miss: the output is
     * complete once the stream has passed the query, with no host step between (the misses are still listed and
     * counted).
     */
    public void queryOrZero(CUdeviceptr keys, int count, CUdeviceptr out, CUdeviceptr missIndices, long tick) {
        query(keys, count, out, missIndices, tick, true);
    }

    private void query(CUdeviceptr keys, int count, CUdeviceptr out, CUdeviceptr missIndices, long tick,
                       boolean zeroMisses) {
        startOperation();
        launch("cache_query", count).arg(keys).arg(count).arg(out).arg(missIndices).arg(tick).arg(zeroMisses ? 1 : 0)
                .launch(context.stream());
    }

    /**
     * Enqueues a replace: {@code keys[i]} gets row {@code i} of {@code rows} ({@code count x dimension} floats),
     * stamped with {@code tick}. An evicting table evicts the least recent slot of a full set; a static table
     * that has no row left for a new key skips it and reports the lowest such index as
     * {@link TableOutcome#firstRejected()} (every key before it was stored).
     */
    public void replace(CUdeviceptr keys, int count, CUdeviceptr rows, long tick) {
        startOperation();
        launch("cache_replace", count).arg(keys).arg(count).arg(rows).arg(tick).launch(context.stream());
    }

    /** Enqueues an update: resident keys get their row of {@code rows}; {@link TableOutcome#matched()} counts them. */
    public void update(CUdeviceptr keys, int count, CUdeviceptr rows) {
        startOperation();
        launch("cache_update", count).arg(keys).arg(count).arg(rows).launch(context.stream());
    }

    /** Enqueues the removal of the keys; {@link TableOutcome#matched()} counts the resident ones. */
    public void invalidate(CUdeviceptr keys, int count) {
        startOperation();
        launch("cache_invalidate", count).arg(keys).arg(count).launch(context.stream());
    }

    /**
     * Enqueues a dump of sets {@code [firstSet, firstSet + setCount)}: their resident keys to {@code outKeys}
     * (int64) and vectors to {@code outRows}, packed from index 0 in no particular order, both with room for
     * {@code setCount * WAYS} entries; {@link TableOutcome#dumped()} counts them.
     */
    public void dump(int firstSet, int setCount, CUdeviceptr outKeys, CUdeviceptr outRows) {
        if (firstSet < 0 || setCount < 1 || (long) firstSet + setCount > shape.sets()) {
            throw new GpuException("dump range out of bounds: firstSet=" + firstSet + " setCount=" + setCount
                    + " sets=" + shape.sets());
        }
        startOperation();
        launch("cache_dump", setCount).arg(firstSet).arg(setCount).arg(outKeys).arg(outRows)
                .launch(context.stream());
    }

    /** Enqueues the removal of every key; a static table's rows are all free again. */
    public void clear() {
        zero(occupied, occupied.bytes());
        zero(present, present.bytes());
        startOperation();
        cuMemsetD32Async(outcome.pointer((long) TableOutcome.ROWS_USED * Integer.BYTES), 0, 1, context.stream());
    }

    /** Enqueues a copy of the last operation's {@link TableOutcome} words to the start of {@code target}. */
    public void copyOutcomeAsync(PinnedBuffer target) {
        if (target.bytes() < TableOutcome.BYTES) {
            throw new GpuException("outcome buffer too small: bytes=" + target.bytes());
        }
        cuMemcpyDtoHAsync(target.pointer(), outcome.pointer(), TableOutcome.BYTES, context.stream());
    }

    /** Frees the table's device memory. Owner thread only; the stream must have passed every operation. */
    @Override
    public void close() {
        context.synchronize();
        for (DeviceBuffer buffer : new DeviceBuffer[] {slotKeys, stamps, slotRows, occupied, present, locks, vectors,
                outcome}) {
            buffer.close();
        }
    }

    private void startOperation() {
        cuMemsetD32Async(outcome.pointer(), 0, TableOutcome.PER_OPERATION_WORDS, context.stream());
    }

    private void zero(DeviceBuffer buffer, long bytes) {
        cuMemsetD8Async(buffer.pointer(), (byte) 0, bytes, context.stream());
    }

    /** A launch of {@code entry} with one warp per item and the table's parameters already added. */
    private KernelLaunch launch(String entry, int items) {
        CUfunction function = module.function(entry);
        int blocks = (int) Math.min((long) context.multiprocessorCount() * BLOCKS_PER_SM,
                Math.max(1, Math.ceilDiv(items, WARPS_PER_BLOCK)));
        return KernelLaunch.of(function).grid(blocks).block(THREADS)
                .arg(slotKeys).arg(stamps).arg(slotRows).arg(occupied).arg(present).arg(locks).arg(vectors)
                .arg(outcome).arg(shape.sets()).arg(shape.dimension()).arg(shape.evicting() ? 1 : 0)
                .arg((int) shape.rows());
    }
}
