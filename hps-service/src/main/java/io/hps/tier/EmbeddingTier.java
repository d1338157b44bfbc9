package io.hps.tier;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;

/**
 * A storage tier of the parameter server: maps the int64 keys of a {@link TierTable} to float32
 * vectors of the table's dimension. Implementations: {@link HashMapTier} (in-process),
 * {@link RedisTier} (Redis or Redis Cluster), {@link RocksDbTier} (persistent).
 *
 * <h2>Buffers</h2>
 * Keys are passed as {@code long[] keys} with a {@code count}: the batch is {@code keys[0, count)}.
 * Vectors are float32 little-endian, packed: the vector of {@code keys[i]} is at byte offset
 * {@code i * table.dimension() * 4} of the segment, which must hold at least
 * {@code count * table.vectorBytes()} bytes. The caller owns every array and segment; a tier reads
 * or writes them only until the call returns, or, for the asynchronous forms, until the returned
 * future completes. The caller must not touch them meanwhile. Segments passed to the
 * asynchronous forms may be written from a tier thread, so they must not be confined to the
 * caller's thread (use a global, shared or automatic arena). Tiers allocate nothing per key
 * on the caller's side; no key is boxed in the API.
 *
 * <h2>Found mask</h2>
 * {@code get} takes a {@code boolean[] found} of at least {@code count} entries that is both input
 * and output: keys whose {@code found[i]} is already {@code true} (answered by an earlier tier) are
 * skipped and their vector slot is left untouched; every key this call finds gets its vector
 * written and {@code found[i]} set to {@code true}. Chaining tiers is therefore a sequence of
 * {@code get} calls with the same mask.
 *
 * <h2>Deadlines and outcomes</h2>
 * Every call carries a {@link Deadline}. Expected outcomes are values: a passed deadline gives
 * {@link TierStatus#DEADLINE_EXCEEDED}, an unreachable or failing tier gives
 * {@link TierStatus#UNAVAILABLE}; in both cases the count covers the part that completed and the
 * buffers hold that part's results. A call whose deadline has already passed does nothing.
 * Broken invariants (a segment too small, a dimension that disagrees with the stored table) are
 * {@link IllegalArgumentException}s thrown by the calling method.
 *
 * <h2>Threads</h2>
 * Implementations are thread-safe: any number of threads may call any method concurrently.
 * Synchronous methods may block the caller up to the deadline; event loops must use the
 * {@code *Async} forms, which never block the calling thread on I/O. Returned futures complete
 * normally with a {@link TierResult}, never exceptionally for expected outcomes.
 */
public interface EmbeddingTier extends AutoCloseable {

    /** The kind of this tier, for metric tags. */
    TierKind kind();

    /**
     * Looks up {@code keys[0, count)} not yet marked in {@code found}.
     *
     * @return {@code count} = keys found by this call
     */
    TierResult get(TierTable table, long[] keys, int count, MemorySegment out, boolean[] found, Deadline deadline);

    /** Asynchronous {@link #get}; the buffers belong to the tier until the future completes. */
    CompletableFuture<TierResult> getAsync(
            TierTable table, long[] keys, int count, MemorySegment out, boolean[] found, Deadline deadline);

    /**
     * Inserts or overwrites {@code keys[0, count)} with their vectors from {@code vectors}.
     * Bounded tiers may evict other entries to make room.
     *
     * @return {@code count} = pairs written
     */
    TierResult put(TierTable table, long[] keys, int count, MemorySegment vectors, Deadline deadline);

    /** Asynchronous {@link #put}; the buffers belong to the tier until the future completes. */
    CompletableFuture<TierResult> putAsync(
            TierTable table, long[] keys, int count, MemorySegment vectors, Deadline deadline);

    /**
     * Removes {@code keys[0, count)}; absent keys are ignored.
     *
     * @return {@code count} = entries removed
     */
    TierResult remove(TierTable table, long[] keys, int count, Deadline deadline);

    /** Asynchronous {@link #remove}. */
    CompletableFuture<TierResult> removeAsync(TierTable table, long[] keys, int count, Deadline deadline);

    /**
     * Counts the entries of {@code table}.
     *
     * @return {@code count} = entries stored (0 for an unknown table)
     */
    TierResult size(TierTable table, Deadline deadline);

    /** Asynchronous {@link #size}. */
    CompletableFuture<TierResult> sizeAsync(TierTable table, Deadline deadline);

    /**
     * Removes {@code table} with all its entries. A later {@code put} creates it again.
     *
     * @return {@code count} = entries removed, where the tier knows it, else 0
     */
    TierResult dropTable(TierTable table, Deadline deadline);

    /** Asynchronous {@link #dropTable}. */
    CompletableFuture<TierResult> dropTableAsync(TierTable table, Deadline deadline);

    /**
     * Visits every entry of {@code table} in chunks of at most {@code chunkKeys} entries, in no
     * particular order (for dumps and cache refresh). Entries written concurrently may or may not
     * be visited. The visitor runs on the calling thread for the synchronous form.
     *
     * @return {@code count} = entries visited
     */
    TierResult scan(TierTable table, int chunkKeys, EntryVisitor visitor, Deadline deadline);

    /** Asynchronous {@link #scan}; the visitor runs on a tier thread. */
    CompletableFuture<TierResult> scanAsync(TierTable table, int chunkKeys, EntryVisitor visitor, Deadline deadline);

    /** Releases the tier's memory, connections and threads; later calls fail with {@link IllegalStateException}. */
    @Override
    void close();
}
