package io.hps.tier;

import java.lang.foreign.MemorySegment;

/** Checks of the buffer contract of {@link EmbeddingTier}; a violation is a caller bug. */
final class TierArguments {
    private TierArguments() {
    }

    static void checkBatch(TierTable table, long[] keys, int count, MemorySegment vectors) {
        if (count < 0 || count > keys.length) {
            throw new IllegalArgumentException("count out of range: count=" + count + " keys=" + keys.length);
        }
        if (vectors.byteSize() < (long) count * table.vectorBytes()) {
            throw new IllegalArgumentException("vector segment too small: bytes=" + vectors.byteSize()
                    + " needed=" + (long) count * table.vectorBytes() + " table=" + table.tag());
        }
    }

    static void checkGet(TierTable table, long[] keys, int count, MemorySegment out, boolean[] found) {
        checkBatch(table, keys, count, out);
        if (found.length < count) {
            throw new IllegalArgumentException("found mask too short: length=" + found.length + " count=" + count);
        }
    }

    static void checkKeys(long[] keys, int count) {
        if (count < 0 || count > keys.length) {
            throw new IllegalArgumentException("count out of range: count=" + count + " keys=" + keys.length);
        }
    }

    static void checkChunk(int chunkKeys) {
        if (chunkKeys < 1) {
            throw new IllegalArgumentException("chunkKeys must be >= 1: chunkKeys=" + chunkKeys);
        }
    }
}
