package io.hps.cache;

import java.util.Arrays;
import java.util.Objects;

/**
 * Turns a batch of keys into its distinct keys plus an int32 inverse index, so each vector is
 * looked up and shipped once: {@code keys[i] == unique[inverse[i]]}.
 *
 * <p>Distinct keys come out in order of first occurrence. Deduplicate one table at a time (the
 * same key in two tables names two rows); {@code stride} reads one table's column out of a
 * row-major {@code [batch, tables]} array.
 *
 * <p>An open-addressing table (linear probing, load at most 1/2) sized for {@code maxKeys} is
 * allocated once and reused: a call does not clear it but moves to a new generation, and a slot
 * is live only when it carries the current generation. No allocation per call or per key. Not
 * thread-safe: one instance per thread (per lookup session).
 */
public final class KeyDeduplicator {
    private final int maxKeys;
    private final int mask;
    private final long[] slotKeys;
    private final int[] slotUnique;
    private final int[] slotGenerations;
    private int generation;

    /** @param maxKeys the most keys one call may deduplicate (the largest batch of one table) */
    public KeyDeduplicator(int maxKeys) {
        if (maxKeys <= 0 || maxKeys > 1 << 29) {
            throw new IllegalArgumentException("key deduplicator size out of range: maxKeys=" + maxKeys);
        }
        int slots = Integer.highestOneBit(maxKeys - 1 | 1) << 2;
        this.maxKeys = maxKeys;
        this.mask = slots - 1;
        this.slotKeys = new long[slots];
        this.slotUnique = new int[slots];
        this.slotGenerations = new int[slots];
    }

    /** The most keys one call may deduplicate. */
    public int maxKeys() {
        return maxKeys;
    }

    /**
     * Deduplicates {@code keys[offset, offset + count)}, like
     * {@link #deduplicate(long[], int, int, int, long[], int[])} with stride 1.
     */
    public int deduplicate(long[] keys, int offset, int count, long[] unique, int[] inverse) {
        return deduplicate(keys, offset, count, 1, unique, inverse);
    }

    /**
     * Deduplicates the {@code count} keys {@code keys[offset + i * stride]}.
     *
     * @param unique receives the distinct keys in {@code [0, return value)}, in order of first occurrence
     * @param inverse receives, in {@code [0, count)}, the position in {@code unique} of each key
     * @return the number of distinct keys
     */
    public int deduplicate(long[] keys, int offset, int count, int stride, long[] unique, int[] inverse) {
        checkArguments(keys, offset, count, stride, unique, inverse);
        int live = nextGeneration();
        int distinct = 0;
        for (int i = 0; i < count; i++) {
            long key = keys[offset + i * stride];
            int slot = slotOf(key, live);
            if (slotGenerations[slot] != live) {
                slotGenerations[slot] = live;
                slotKeys[slot] = key;
                slotUnique[slot] = distinct;
                unique[distinct++] = key;
            }
            inverse[i] = slotUnique[slot];
        }
        return distinct;
    }

    /** The slot holding the key in this generation, or the empty slot where it belongs. */
    private int slotOf(long key, int live) {
        int slot = (int) KeyHash.mix(key) & mask;
        while (slotGenerations[slot] == live && slotKeys[slot] != key) {
            slot = slot + 1 & mask;
        }
        return slot;
    }

    /** Moves the generation counter, so that tests can reach its wrap-around. */
    void generation(int value) {
        generation = value;
    }

    private int nextGeneration() {
        generation++;
        if (generation == 0) {
            Arrays.fill(slotGenerations, 0);
            generation = 1;
        }
        return generation;
    }

    private void checkArguments(long[] keys, int offset, int count, int stride, long[] unique, int[] inverse) {
        Objects.requireNonNull(keys, "keys");
        if (count < 0 || count > maxKeys) {
            throw new IllegalArgumentException("key count out of range: count=" + count + " maxKeys=" + maxKeys);
        }
        if (stride <= 0) {
            throw new IllegalArgumentException("stride must be positive: stride=" + stride);
        }
        long last = offset + (long) Math.max(0, count - 1) * stride;
        if (offset < 0 || count > 0 && last >= keys.length) {
            throw new IndexOutOfBoundsException("keys out of range: offset=" + offset + " count=" + count
                    + " stride=" + stride + " length=" + keys.length);
        }
        if (unique.length < count || inverse.length < count) {
            throw new IllegalArgumentException("output arrays too small: count=" + count
                    + " uniqueLength=" + unique.length + " inverseLength=" + inverse.length);
        }
    }
}
