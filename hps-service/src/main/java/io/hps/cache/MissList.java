package io.hps.cache;

import java.util.Arrays;

/**
 * The positions of the keys a {@link DeviceCache#query query} did not find, in key order.
 *
 * <p>Allocated once (sized by the largest batch) and reused across queries: a query resets it and
 * then appends, so it never allocates. Not thread-safe: one owner at a time.
 */
public final class MissList {
    private final int[] indices;
    private int count;

    /** @param maxCount the largest number of misses one query may report: its largest key count */
    public MissList(int maxCount) {
        if (maxCount < 0) {
            throw new IllegalArgumentException("negative miss list size: maxCount=" + maxCount);
        }
        this.indices = new int[maxCount];
    }

    /** The number of misses recorded since the last {@link #clear()}. */
    public int count() {
        return count;
    }

    /** The largest number of misses this list can hold. */
    public int maxCount() {
        return indices.length;
    }

    /**
     * The {@code i}-th miss: a position relative to the query's {@code offset}, in
     * {@code [0, count)} of that query.
     */
    public int index(int i) {
        if (i >= count) {
            throw new IndexOutOfBoundsException("miss index out of range: i=" + i + " count=" + count);
        }
        return indices[i];
    }

    /**
     * The backing array, valid in {@code [0, count())}; owned by this list and overwritten by the
     * next query. For bulk copies (for instance to a device) without per-miss calls.
     */
    public int[] indices() {
        return indices;
    }

    /** Forgets all misses. */
    public void clear() {
        count = 0;
    }

    /** Appends one miss; called by caches. */
    public void add(int index) {
        if (count == indices.length) {
            throw new IllegalStateException("miss list full: maxCount=" + indices.length);
        }
        indices[count++] = index;
    }

    /** Sets the count after a bulk write into {@link #indices()} (a device cache copying back). */
    public void count(int newCount) {
        if (newCount < 0 || newCount > indices.length) {
            throw new IllegalArgumentException(
                    "miss count out of range: count=" + newCount + " maxCount=" + indices.length);
        }
        count = newCount;
    }

    @Override
    public String toString() {
        return "MissList" + Arrays.toString(Arrays.copyOf(indices, count));
    }
}
