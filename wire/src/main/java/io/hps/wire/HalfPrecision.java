package io.hps.wire;

import io.netty.buffer.ByteBuf;

/**
 * Conversions between float32 and the 16-bit vector dtypes, scalar and in bulk between buffers.
 * F16 is IEEE 754 binary16 with round-to-nearest-even ({@link Float#floatToFloat16}); BF16 keeps
 * the upper 16 bits of a binary32, rounded to nearest even, NaN kept a (quiet) NaN. Stateless and
 * thread-safe.
 */
public final class HalfPrecision {
    private static final int BF16_ROUNDING_BIAS = 0x7FFF;
    private static final int BF16_QUIET_BIT = 0x0040;

    private HalfPrecision() {
    }

    /** binary16 bits of the nearest binary16 value (ties to even). */
    public static short toF16(float value) {
        return Float.floatToFloat16(value);
    }

    /** The float32 value of binary16 bits; exact. */
    public static float fromF16(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** bfloat16 bits of the nearest bfloat16 value (ties to even); NaN stays NaN. */
    public static short toBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | BF16_QUIET_BIT);
        }
        return (short) ((bits + BF16_ROUNDING_BIAS + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The float32 value of bfloat16 bits; exact. */
    public static float fromBf16(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** Reads one little-endian element of {@code dtype} at the absolute {@code index} as a float. */
    public static float get(ByteBuf buffer, int index, VectorDtype dtype) {
        return switch (dtype) {
            case F32 -> buffer.getFloatLE(index);
            case F16 -> fromF16(buffer.getShortLE(index));
            case BF16 -> fromBf16(buffer.getShortLE(index));
        };
    }

    /** Writes {@code value} rounded to {@code dtype} at the absolute {@code index}, little-endian. */
    public static void set(ByteBuf buffer, int index, VectorDtype dtype, float value) {
        switch (dtype) {
            case F32 -> buffer.setFloatLE(index, value);
            case F16 -> buffer.setShortLE(index, toF16(value));
            case BF16 -> buffer.setShortLE(index, toBf16(value));
        }
    }

    /**
     * Converts {@code count} elements from {@code src} (dtype {@code from}, starting at the absolute
     * {@code srcIndex}) into {@code dst} (dtype {@code to}, at {@code dstIndex}). Same dtypes copy
     * the bytes. Indexes are absolute; neither buffer's reader or writer index moves, no reference
     * count changes. The ranges must not overlap unless the dtypes are equal.
     */
    public static void convert(ByteBuf src, int srcIndex, VectorDtype from,
                               ByteBuf dst, int dstIndex, VectorDtype to, int count) {
        if (from == to) {
            dst.setBytes(dstIndex, src, srcIndex, count * from.bytes());
            return;
        }
        int srcStride = from.bytes();
        int dstStride = to.bytes();
        for (int i = 0; i < count; i++) {
            set(dst, dstIndex + i * dstStride, to, get(src, srcIndex + i * srcStride, from));
        }
    }
}
