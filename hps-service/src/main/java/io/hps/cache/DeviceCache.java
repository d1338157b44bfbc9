package io.hps.cache;

import java.lang.foreign.MemorySegment;
import java.util.function.LongConsumer;

/**
 * The embedding cache of one (model, table): vectors of {@link #dimension()} floats keyed by
 * int64 keys, in device memory (GPU) or CPU memory.
 *
 * <h2>Batches and buffers</h2>
 * Every operation takes a batch: {@code count} keys starting at {@code keys[offset]}, and for the
 * vectors a {@link MemorySegment} of rows laid out back to back, row {@code i} (for key
 * {@code keys[offset + i]}) at byte {@code segmentOffsetBytes + i * dimension * 4}, floats in
 * native byte order (little-endian on every supported platform). The caller owns keys, segments
 * and {@link MissList}s; the cache reads or writes them only during the call and keeps no
 * reference. Segments are host memory (a GPU cache stages through its own buffers). Operations
 * allocate nothing per key.
 *
 * <h2>Threads</h2>
 * All operations may be called from any number of threads at once, except {@link #close()}, which
 * must run after every other call has returned. A query running concurrently with
 * {@link #replace replace}, {@link #update update}, {@link #invalidate invalidate} or
 * {@link #clear() clear} returns, for each key, either a miss or a complete vector that was
 * stored for that key at some point during the call (the old one or the new one), never a torn
 * mix of two writes and never another key's vector. Queries take no lock: a query that meets a
 * write in progress on its key's set (or row) waits for that one write and retries.
 *
 * <h2>Duplicates and keys</h2>
 * Every int64 value is a valid key (no value is reserved as an empty marker). A batch may repeat
 * a key: a query answers each occurrence; a replace keeps the key once, with one of the batch's
 * rows for it (the CPU caches keep the last).
 *
 * <h2>Capacity</h2>
 * {@link #size()} never exceeds {@link #capacity()}. A {@link CacheMode#DYNAMIC dynamic} cache
 * evicts the least recently used row (queried or written) of the key's set to make room; a
 * set-associative cache is full set by set, so it may evict while a few other sets still have
 * free slots. A {@link CacheMode#STATIC static} cache never evicts.
 */
public interface DeviceCache extends AutoCloseable {

    /** A CPU cache of the given shape: a {@link CpuStaticTable} or a {@link CpuEmbeddingCache}. */
    static DeviceCache onCpu(DeviceCacheConfig config) {
        return switch (config.mode()) {
            case STATIC -> new CpuStaticTable(config);
            case DYNAMIC -> new CpuEmbeddingCache(config);
        };
    }

    /** A GPU cache of the given shape on the owner's device ({@link GpuEmbeddingCache}); blocks while allocating. */
    static DeviceCache onGpu(io.hps.gpu.DeviceOwner owner, DeviceCacheConfig config) {
        return GpuEmbeddingCache.open(owner, config);
    }

    /** Static or dynamic. */
    CacheMode mode();

    /** Floats per vector. */
    int dimension();

    /** Rows the cache can hold; at least the configured capacity. */
    long capacity();

    /** Rows resident now; exact when no write runs concurrently. */
    long size();

    /**
     * Looks up a batch: for each hit, writes the vector of {@code keys[offset + i]} to row
     * {@code i} of {@code out}; for each miss, appends {@code i} to {@code misses} (which is
     * cleared first), in key order, and leaves row {@code i} with unspecified contents for the
     * caller to fill. Refreshes the recency of the keys it hits.
     *
     * @param out at least {@code count} rows from {@code outOffsetBytes}
     * @param misses able to hold {@code count} indices
     * @return the number of hits ({@code count - misses.count()})
     */
    int query(long[] keys, int offset, int count, MemorySegment out, long outOffsetBytes, MissList misses);

    /**
     * Inserts or overwrites a batch: key {@code keys[offset + i]} gets row {@code i} of
     * {@code vectors}. A dynamic cache evicts to make room.
     *
     * @throws CacheCapacityExceededException a static cache has no room for a new key; the keys
     *     before it in the batch were stored
     */
    void replace(long[] keys, int offset, int count, MemorySegment vectors, long vectorsOffsetBytes);

    /**
     * Overwrites the keys of a batch that are resident; ignores the others and inserts nothing.
     *
     * @return the number of keys that were resident and overwritten
     */
    int update(long[] keys, int offset, int count, MemorySegment vectors, long vectorsOffsetBytes);

    /**
     * Removes the keys of a batch.
     *
     * @return the number of keys that were resident and removed
     */
    int invalidate(long[] keys, int offset, int count);

    /**
     * Visits every resident key with its vector on the calling thread, each exactly once when no
     * write runs concurrently. A key written or removed during the dump may be missed, or visited
     * twice if a clear and a re-insert move it; every vector handed out is complete.
     */
    void dump(CacheEntryConsumer consumer);

    /** Visits every resident key once, like {@link #dump(CacheEntryConsumer)} without vectors. */
    default void dumpKeys(LongConsumer consumer) {
        dump((key, vector) -> consumer.accept(key));
    }

    /** Removes every key. Counters keep counting. */
    void clear();

    /** Hits, misses, insertions, evictions. */
    CacheCounters counters();

    /** Keys evicted to make room since creation. */
    default long evictions() {
        return counters().evictions();
    }

    /** Fraction of the capacity resident now, in {@code [0, 1]}. */
    default double occupancy() {
        return (double) size() / capacity();
    }

    /** Frees the cache's memory. No call may be running or follow. */
    @Override
    void close();
}
