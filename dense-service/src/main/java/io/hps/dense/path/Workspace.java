package io.hps.dense.path;

import io.hps.model.DlrmArchitecture;
import io.hps.wire.LookupResponseDecoder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The buffers of one batch in flight, allocated once per path and sized by its maximum batch:
 * sample-major embeddings {@code [maxBatch, tables, dimension]} float32 (the network's input),
 * one table's distinct vectors, key and inverse-index scratch, the bottom MLP output of a split
 * forward. Owned by one call at a time.
 */
final class Workspace {
    final MemorySegment embeddings;
    final MemorySegment unique;
    final MemorySegment keyBytes;
    final long[] keys;
    final int[] inverse;
    final float[] bottom;
    final LookupResponseDecoder response = new LookupResponseDecoder();

    Workspace(DlrmArchitecture a, int maxBatch, Arena arena) {
        long row = (long) a.embeddingDimension() * Float.BYTES;
        embeddings = arena.allocate((long) maxBatch * a.tableCount() * row, 64);
        unique = arena.allocate(maxBatch * row, 64);
        keyBytes = arena.allocate((long) maxBatch * a.tableCount() * Long.BYTES, 64);
        keys = new long[maxBatch];
        inverse = new int[maxBatch];
        bottom = new float[maxBatch * a.embeddingDimension()];
    }
}
