package io.hps.tier;

import java.lang.foreign.MemorySegment;

/**
 * Receives the entries of a table chunk by chunk during {@link EmbeddingTier#scan}.
 * The arrays and the segment belong to the tier and are valid only during the call: copy what
 * must outlive it. Called on one thread at a time.
 */
@FunctionalInterface
public interface EntryVisitor {

    /**
     * @param keys    {@code keys[0, count)} are the chunk's keys
     * @param count   number of entries in the chunk, at least 1
     * @param vectors the vector of {@code keys[i]} at byte offset {@code i * dimension * 4},
     *                float32 in native (little-endian) order
     */
    void visit(long[] keys, int count, MemorySegment vectors);
}
