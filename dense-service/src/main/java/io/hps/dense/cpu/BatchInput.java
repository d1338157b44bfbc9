package io.hps.dense.cpu;

import io.hps.dense.EmbeddingType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The inputs of one forward call, wrapped in place (a flyweight reused across calls): dense
 * features {@code [batch x features]} float32 and embeddings {@code [batch x tables x dimension]},
 * both sample-major, each either a heap array or a little-endian memory segment. The caller keeps
 * ownership of the buffers and must not change them until the call returns. Written by the caller
 * thread before the chunks are published, then only read by workers.
 */
final class BatchInput {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private float[] denseArray;
    private MemorySegment denseSegment;
    private float[] embeddingArray;
    private MemorySegment embeddingSegment;
    private EmbeddingType embeddingType;

    void wrap(float[] dense, float[] embeddings) {
        clear();
        denseArray = dense;
        embeddingArray = embeddings;
    }

    void wrap(MemorySegment dense, MemorySegment embeddings, EmbeddingType type) {
        clear();
        denseSegment = dense;
        embeddingSegment = embeddings;
        embeddingType = type;
    }

    /** Drops the references to the caller's buffers. */
    void clear() {
        denseArray = null;
        denseSegment = null;
        embeddingArray = null;
        embeddingSegment = null;
        embeddingType = null;
    }

    /**
     * Copies the dense features of samples {@code [row0, row0 + rows)} transposed into a
     * feature-major buffer: feature {@code f} of sample {@code row0 + m} goes to
     * {@code dst[f * stride + m]}; columns {@code [rows, width)} are zeroed.
     */
    void denseColumns(int row0, int rows, int width, int features, float[] dst, int stride) {
        for (int m = 0; m < rows; m++) {
            long src = (long) (row0 + m) * features;
            if (denseArray != null) {
                for (int f = 0; f < features; f++) {
                    dst[f * stride + m] = denseArray[(int) src + f];
                }
            } else {
                for (int f = 0; f < features; f++) {
                    dst[f * stride + m] = denseSegment.getAtIndex(F32, src + f);
                }
            }
        }
        for (int f = 0; f < features; f++) {
            Arrays.fill(dst, f * stride + rows, f * stride + width, 0f);
        }
    }

    /** Widens the {@code count} embedding elements of {@code sample} (all its tables) into {@code dst[offset ..]}. */
    void embeddings(int sample, int count, float[] dst, int offset) {
        long src = (long) sample * count;
        if (embeddingArray != null) {
            System.arraycopy(embeddingArray, (int) src, dst, offset, count);
        } else {
            embeddingType.decode(embeddingSegment, src, dst, offset, count);
        }
    }
}
