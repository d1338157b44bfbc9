package io.hps.cache;

import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.DeviceTask;
import io.hps.gpu.cache.DeviceHashTable;
import io.hps.gpu.cache.HashTableShape;
import io.hps.gpu.cache.TableOutcome;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link DeviceCache} in GPU memory: a {@link DeviceHashTable} (sets of 32 slots, warp-per-key probing,
 * LRU-like eviction by per-slot stamps, an occupancy mask per set) behind the synchronous cache interface.
 *
 * <h2>Modes</h2>
 * {@link CacheMode#DYNAMIC Dynamic}: the capacity rounded up to whole sets of 32, a key only in its home set,
 * a full set evicts its least recently used slot (every batch is one tick of the recency clock). {@link
 * CacheMode#STATIC Static}: exactly the configured capacity in vector rows, twice as many slots, full sets
 * overflow into the next; a new key with no row left is a {@link CacheCapacityExceededException}, and every
 * key of the batch before it was stored.
 *
 * <h2>Batches and memory</h2>
 * Keys and vectors travel through pinned staging buffers and device buffers of {@link #chunkRows()} rows,
 * allocated when the cache opens; a larger batch is cut into chunks (all of one batch share its tick). Misses
 * are listed by the device in any order and sorted per chunk on the host, so the {@link MissList} is in key
 * order. Device memory: {@code capacity x dimension x 4} bytes of vectors (static: the configured rows) plus
 * 24 bytes per slot and the staging.
 *
 * <h2>Threads</h2>
 * An operation holds the cache's lock for its whole batch: the calling thread copies between its own memory and
 * the pinned staging (so caller segments may be confined to it), and each chunk's uploads, kernels and downloads
 * run as one task on the device's owner thread ({@link DeviceOwner#submit}) on the owner's one stream. Operations
 * therefore never overlap: a query concurrent with a write sees it entirely or not at all. The methods are
 * synchronous, as the interface says: the caller waits for its tasks, so callers must not be event loops (they
 * would block on the device; compose on the owner instead); a caller already on the owner thread (inside a
 * {@code DeviceTask}) runs the tasks directly.
 */
public final class GpuEmbeddingCache implements DeviceCache {
    /** Rows per staging chunk at most. */
    static final int MAX_CHUNK_ROWS = 16384;
    /** Bytes of vectors per staging chunk at most, unless one set of rows needs more. */
    static final long MAX_CHUNK_VECTOR_BYTES = 16L << 20;

    private final DeviceOwner owner;
    private final Thread ownerThread;
    private final DeviceContext context;
    private final CacheMode mode;
    private final DeviceHashTable table;
    private final GpuBatchStaging staging;
    private final long rowBytes;
    private final CacheCounters counters = new CacheCounters();
    /** Held by the caller for a whole operation: it owns the staging buffers meanwhile. */
    private final ReentrantLock stagingLock = new ReentrantLock();
    /** Written under the staging lock. */
    private volatile long size;
    /** Recency clock, one tick per query or replace; under the staging lock. */
    private long tick;

    private GpuEmbeddingCache(DeviceOwner owner, Thread ownerThread, DeviceContext context, CacheMode mode,
            DeviceHashTable table, GpuBatchStaging staging) {
        this.owner = owner;
        this.ownerThread = ownerThread;
        this.context = context;
        this.mode = mode;
        this.table = table;
        this.staging = staging;
        this.rowBytes = table.shape().rowBytes();
    }

    /**
     * Allocates an empty cache of this shape on the owner's device, with staging chunks sized for the
     * dimension. Blocks until the device memory is allocated: call at start-up, never on an event loop.
     */
    public static GpuEmbeddingCache open(DeviceOwner owner, DeviceCacheConfig config) {
        return open(owner, config, defaultChunkRows(config.vectorBytes()));
    }

    /** As {@link #open(DeviceOwner, DeviceCacheConfig)} with {@code chunkRows} keys per staging chunk. */
    static GpuEmbeddingCache open(DeviceOwner owner, DeviceCacheConfig config, int chunkRows) {
        if (chunkRows < DeviceHashTable.WAYS || chunkRows % DeviceHashTable.WAYS != 0) {
            throw new IllegalArgumentException("chunk rows must be a positive multiple of "
                    + DeviceHashTable.WAYS + ": chunkRows=" + chunkRows);
        }
        HashTableShape shape = config.mode() == CacheMode.STATIC
                ? HashTableShape.staticTable(config.capacityRows(), config.dimension())
                : HashTableShape.evicting(config.capacityRows(), config.dimension());
        return join(owner.submit(c -> {
            DeviceHashTable table = DeviceHashTable.allocate(c, shape);
            GpuBatchStaging staging = new GpuBatchStaging(c, chunkRows, shape.rowBytes());
            c.synchronize();
            return new GpuEmbeddingCache(owner, Thread.currentThread(), c, config.mode(), table, staging);
        }));
    }

    static int defaultChunkRows(long rowBytes) {
        long rows = Math.min(MAX_CHUNK_ROWS, MAX_CHUNK_VECTOR_BYTES / rowBytes);
        return (int) Math.max(DeviceHashTable.WAYS, rows / DeviceHashTable.WAYS * DeviceHashTable.WAYS);
    }

    @Override
    public CacheMode mode() {
        return mode;
    }

    @Override
    public int dimension() {
        return table.shape().dimension();
    }

    /** Dynamic: the configured capacity rounded up to whole sets of 32; static: exactly the configured rows. */
    @Override
    public long capacity() {
        return table.shape().rows();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public CacheCounters counters() {
        return counters;
    }

    /** Keys per staging chunk. */
    public int chunkRows() {
        return staging.chunkRows();
    }

    @Override
    public int query(long[] keys, int offset, int count, MemorySegment out, long outOffsetBytes, MissList misses) {
        BatchArguments.checkQuery(keys, offset, count, out, outOffsetBytes, rowBytes, misses);
        stagingLock.lock();
        try {
            misses.clear();
            long now = ++tick;
            for (int start = 0; start < count; start += staging.chunkRows()) {
                int n = Math.min(staging.chunkRows(), count - start);
                staging.putKeys(keys, offset + start, n);
                TableOutcome outcome = onOwner(c -> queryChunk(n, now));
                staging.copyVectorsTo(out, outOffsetBytes + start * rowBytes, n);
                staging.appendMisses(misses, outcome.missed(), start);
            }
        } finally {
            stagingLock.unlock();
        }
        counters.recordQuery(count - misses.count(), misses.count());
        return count - misses.count();
    }

    @Override
    public void replace(long[] keys, int offset, int count, MemorySegment vectors, long vectorsOffsetBytes) {
        BatchArguments.checkWrite(keys, offset, count, vectors, vectorsOffsetBytes, rowBytes);
        stagingLock.lock();
        try {
            long now = ++tick;
            for (int start = 0; start < count; start += staging.chunkRows()) {
                int n = Math.min(staging.chunkRows(), count - start);
                staging.putKeys(keys, offset + start, n);
                staging.putVectors(vectors, vectorsOffsetBytes + start * rowBytes, n);
                TableOutcome outcome = onOwner(c -> replaceChunk(n, now));
                size += outcome.inserted() - outcome.evicted();
                counters.recordInsertions(outcome.inserted());
                counters.recordEvictions(outcome.evicted());
                if (outcome.rejected()) {
                    throw new CacheCapacityExceededException(capacity(), keys[offset + start + outcome.firstRejected()]);
                }
            }
        } finally {
            stagingLock.unlock();
        }
    }

    @Override
    public int update(long[] keys, int offset, int count, MemorySegment vectors, long vectorsOffsetBytes) {
        BatchArguments.checkWrite(keys, offset, count, vectors, vectorsOffsetBytes, rowBytes);
        int updated = 0;
        stagingLock.lock();
        try {
            for (int start = 0; start < count; start += staging.chunkRows()) {
                int n = Math.min(staging.chunkRows(), count - start);
                staging.putKeys(keys, offset + start, n);
                staging.putVectors(vectors, vectorsOffsetBytes + start * rowBytes, n);
                updated += onOwner(c -> updateChunk(n)).matched();
            }
        } finally {
            stagingLock.unlock();
        }
        return updated;
    }

    @Override
    public int invalidate(long[] keys, int offset, int count) {
        BatchArguments.checkKeys(keys, offset, count);
        int removed = 0;
        stagingLock.lock();
        try {
            for (int start = 0; start < count; start += staging.chunkRows()) {
                int n = Math.min(staging.chunkRows(), count - start);
                staging.putKeys(keys, offset + start, n);
                int matched = onOwner(c -> invalidateChunk(n)).matched();
                size -= matched;
                removed += matched;
            }
        } finally {
            stagingLock.unlock();
        }
        return removed;
    }

    /**
     * Copies the resident keys and vectors back in chunks of sets (a write may land between chunks) and hands them
     * to {@code consumer} on the calling thread, outside the cache's lock, so the consumer may call the cache.
     */
    @Override
    public void dump(CacheEntryConsumer consumer) {
        int setsPerChunk = staging.chunkRows() / DeviceHashTable.WAYS;
        int sets = table.shape().sets();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keys = arena.allocate((long) staging.chunkRows() * Long.BYTES, Long.BYTES);
            MemorySegment vectors = arena.allocate(staging.chunkRows() * rowBytes, Long.BYTES);
            for (int first = 0; first < sets; first += setsPerChunk) {
                int dumped = dumpChunk(first, Math.min(setsPerChunk, sets - first), keys, vectors);
                for (int i = 0; i < dumped; i++) {
                    consumer.accept(keys.getAtIndex(ValueLayout.JAVA_LONG, i), vectors.asSlice(i * rowBytes, rowBytes));
                }
            }
        }
    }

    @Override
    public void clear() {
        stagingLock.lock();
        try {
            onOwner(c -> {
                table.clear();
                c.synchronize();
                return null;
            });
            size = 0;
        } finally {
            stagingLock.unlock();
        }
    }

    /** Frees the table and the staging buffers on the owner thread. */
    @Override
    public void close() {
        onOwner(c -> {
            staging.close();
            table.close();
            return null;
        });
    }

    private TableOutcome queryChunk(int n, long now) {
        staging.uploadKeys(n);
        table.query(staging.deviceKeys().pointer(), n, staging.deviceVectors().pointer(),
                staging.deviceMisses().pointer(), now);
        staging.downloadVectors(n);
        staging.downloadMisses(n);
        table.copyOutcomeAsync(staging.hostOutcome());
        return staging.awaitOutcome();
    }

    private TableOutcome replaceChunk(int n, long now) {
        staging.uploadKeys(n);
        staging.uploadVectors(n);
        table.replace(staging.deviceKeys().pointer(), n, staging.deviceVectors().pointer(), now);
        table.copyOutcomeAsync(staging.hostOutcome());
        return staging.awaitOutcome();
    }

    private TableOutcome updateChunk(int n) {
        staging.uploadKeys(n);
        staging.uploadVectors(n);
        table.update(staging.deviceKeys().pointer(), n, staging.deviceVectors().pointer());
        table.copyOutcomeAsync(staging.hostOutcome());
        return staging.awaitOutcome();
    }

    private TableOutcome invalidateChunk(int n) {
        staging.uploadKeys(n);
        table.invalidate(staging.deviceKeys().pointer(), n);
        table.copyOutcomeAsync(staging.hostOutcome());
        return staging.awaitOutcome();
    }

    /** Dumps one range of sets into {@code keys} and {@code vectors} (caller's memory); returns the entries. */
    private int dumpChunk(int firstSet, int setCount, MemorySegment keys, MemorySegment vectors) {
        stagingLock.lock();
        try {
            int dumped = onOwner(c -> {
                table.dump(firstSet, setCount, staging.deviceKeys().pointer(), staging.deviceVectors().pointer());
                table.copyOutcomeAsync(staging.hostOutcome());
                int entries = staging.awaitOutcome().dumped();
                staging.downloadKeys(entries);
                staging.downloadVectors(entries);
                c.synchronize();
                return entries;
            });
            staging.copyKeysTo(keys, dumped);
            staging.copyVectorsTo(vectors, 0, dumped);
            return dumped;
        } finally {
            stagingLock.unlock();
        }
    }

    /** Runs {@code task} on the owner thread: directly when already there, else submitted and waited for. */
    private <T> T onOwner(DeviceTask<T> task) {
        if (Thread.currentThread() == ownerThread) {
            try {
                return task.run(context);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("device cache task failed: device=" + owner.ordinal(), e);
            }
        }
        return join(owner.submit(task));
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    @Override
    public String toString() {
        return "GpuEmbeddingCache[mode=" + mode + " device=" + owner.ordinal() + " dimension=" + dimension()
                + " capacity=" + capacity() + " size=" + size + "]";
    }
}
