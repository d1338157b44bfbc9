package io.hps.lookup;

/**
 * Replaces a batch of keys by its distinct keys plus an inverse index, without allocating:
 * {@code keys[offset + i] == unique[inverse[i]]} for every {@code i}, and the distinct keys appear
 * in order of first occurrence.
 *
 * <p>Open addressing over a power-of-two table at most half full, with a generation stamp per slot
 * so that starting a new batch costs nothing. Sized once for the largest batch. Not thread-safe:
 * one owner at a time.
 */
final class KeyDeduplicator {
    private final long[] slotKeys;
    private final int[] slotIndex;
    private final int[] slotStamp;
    private final int mask;
    private final int maxKeys;
    private int stamp;

    KeyDeduplicator(int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be >= 1: maxKeys=" + maxKeys);
        }
        int slots = Integer.highestOneBit(Math.max(2, maxKeys) * 2 - 1) << 1;
        this.slotKeys = new long[slots];
        this.slotIndex = new int[slots];
        this.slotStamp = new int[slots];
        this.mask = slots - 1;
        this.maxKeys = maxKeys;
    }

    /**
     * Deduplicates {@code keys[offset, offset + count)}.
     *
     * @param unique  receives the distinct keys, at least {@code count} long
     * @param inverse receives, for each input key, its position in {@code unique}
     * @return the number of distinct keys
     */
    int deduplicate(long[] keys, int offset, int count, long[] unique, int[] inverse) {
        if (count > maxKeys) {
            throw new IllegalArgumentException("batch larger than deduplicator: count=" + count + " maxKeys=" + maxKeys);
        }
        int current = nextStamp();
        int distinct = 0;
        for (int i = 0; i < count; i++) {
            long key = keys[offset + i];
            int slot = (int) mix(key) & mask;
            while (slotStamp[slot] == current && slotKeys[slot] != key) {
                slot = (slot + 1) & mask;
            }
            if (slotStamp[slot] != current) {
                slotStamp[slot] = current;
                slotKeys[slot] = key;
                slotIndex[slot] = distinct;
                unique[distinct++] = key;
            }
            inverse[i] = slotIndex[slot];
        }
        return distinct;
    }

    private int nextStamp() {
        if (++stamp == 0) {
            java.util.Arrays.fill(slotStamp, 0);
            stamp = 1;
        }
        return stamp;
    }

    /** Stafford's variant 13 of the MurmurHash3 finalizer. */
    static long mix(long key) {
        long z = key;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
