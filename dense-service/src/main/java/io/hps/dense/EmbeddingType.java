package io.hps.dense;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Element encoding of embedding vectors in an off-heap buffer, little-endian as on the wire. The
 * dense network reads every encoding through {@link #decode}, which widens to float32, so a new
 * encoding is one more constant here.
 */
public enum EmbeddingType {
    /** IEEE 754 binary32. */
    FLOAT32(Float.BYTES) {
        @Override
        public void decode(MemorySegment src, long fromElement, float[] dst, int dstOffset, int count) {
            MemorySegment.copy(src, F32, fromElement * Float.BYTES, dst, dstOffset, count);
        }
    },
    /** IEEE 754 binary16. */
    FLOAT16(Short.BYTES) {
        @Override
        public void decode(MemorySegment src, long fromElement, float[] dst, int dstOffset, int count) {
            for (int i = 0; i < count; i++) {
                dst[dstOffset + i] = Float.float16ToFloat(src.getAtIndex(I16, fromElement + i));
            }
        }
    },
    /** bfloat16: the upper 16 bits of a binary32. */
    BFLOAT16(Short.BYTES) {
        @Override
        public void decode(MemorySegment src, long fromElement, float[] dst, int dstOffset, int count) {
            for (int i = 0; i < count; i++) {
                dst[dstOffset + i] = Float.intBitsToFloat(src.getAtIndex(I16, fromElement + i) << 16);
            }
        }
    };

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int bytes;

    EmbeddingType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /**
     * Widens {@code count} elements starting at element index {@code fromElement} of {@code src}
     * into {@code dst[dstOffset ..]}. Reads only; the caller owns both buffers.
     *
     * @throws IndexOutOfBoundsException if either range is outside its buffer
     */
    public abstract void decode(MemorySegment src, long fromElement, float[] dst, int dstOffset, int count);
}
