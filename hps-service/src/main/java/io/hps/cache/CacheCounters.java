package io.hps.cache;

import java.util.concurrent.atomic.LongAdder;

/**
 * Monotonic counters of one {@link DeviceCache}, for a lookup session to publish as meters.
 *
 * <p>Hits and misses count keys (a batch that repeats a key counts it each time). Thread-safe:
 * caches record from any thread, readers see eventually consistent sums. Counters are never reset
 * ({@link DeviceCache#clear()} empties the cache, not its history).
 */
public final class CacheCounters {
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder insertions = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /** Keys found by queries. */
    public long hits() {
        return hits.sum();
    }

    /** Keys not found by queries. */
    public long misses() {
        return misses.sum();
    }

    /** Keys that became resident (a replace of a key already resident is not an insertion). */
    public long insertions() {
        return insertions.sum();
    }

    /** Resident keys pushed out to make room for others. Always 0 for a static cache. */
    public long evictions() {
        return evictions.sum();
    }

    /** Records the outcome of one query batch. */
    public void recordQuery(long hitCount, long missCount) {
        hits.add(hitCount);
        misses.add(missCount);
    }

    /** Records keys that became resident. */
    public void recordInsertions(long count) {
        insertions.add(count);
    }

    /** Records keys that were evicted. */
    public void recordEvictions(long count) {
        evictions.add(count);
    }

    @Override
    public String toString() {
        return "CacheCounters[hits=" + hits() + " misses=" + misses() + " insertions=" + insertions()
                + " evictions=" + evictions() + "]";
    }
}
