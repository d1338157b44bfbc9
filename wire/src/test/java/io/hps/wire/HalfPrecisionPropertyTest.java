package io.hps.wire;

import io.netty.buffer.ByteBuf;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HalfPrecisionPropertyTest {
    /** Largest finite bfloat16 (bits 0x7F7F) plus half its ulp: from here on, rounding reaches infinity. */
    private static final int BF16_OVERFLOW_BITS = 0x7F7F_8000;

    @Test
    void shouldRoundTripEveryBf16AndF16Value() {
        for (int bits = 0; bits < 0x1_0000; bits++) {
            short value = (short) bits;
            float bf16 = HalfPrecision.fromBf16(value);
            float f16 = HalfPrecision.fromF16(value);
            if (Float.isNaN(bf16)) {
                assertThat(HalfPrecision.toBf16(bf16) & 0x7FFF).as("bf16 NaN stays NaN").isGreaterThan(0x7F80);
            } else {
                assertThat(HalfPrecision.toBf16(bf16)).isEqualTo(value);
            }
            if (!Float.isNaN(f16)) {
                assertThat(HalfPrecision.toF16(f16)).isEqualTo(value);
            }
        }
    }

    @Property(tries = 2000)
    void shouldRoundBf16ToNearestEven(@ForAll float value) {
        short rounded = HalfPrecision.toBf16(value);
        float result = HalfPrecision.fromBf16(rounded);
        if (Float.isNaN(value)) {
            assertThat(result).isNaN();
            return;
        }
        int magnitude = Float.floatToRawIntBits(value) & 0x7FFF_FFFF;
        if (magnitude >= BF16_OVERFLOW_BITS && magnitude <= 0x7F80_0000) {
            assertThat(result).isInfinite();
            return;
        }
        assertNearestEven(value, result, rounded, HalfPrecision.fromBf16((short) (rounded + 1)),
                HalfPrecision.fromBf16((short) (rounded - 1)));
    }

    @Property(tries = 2000)
    void shouldRoundF16ToNearestEven(@ForAll @FloatRange(min = -65504f, max = 65504f) float value) {
        short rounded = HalfPrecision.toF16(value);
        float result = HalfPrecision.fromF16(rounded);
        assertNearestEven(value, result, rounded, HalfPrecision.fromF16((short) (rounded + 1)),
                HalfPrecision.fromF16((short) (rounded - 1)));
    }

    @Property(tries = 1000)
    void shouldBreakBf16TiesToEven(@ForAll short upper) {
        float tie = Float.intBitsToFloat((upper << 16) | 0x8000);
        float below = HalfPrecision.fromBf16(upper);
        float above = HalfPrecision.fromBf16((short) (upper + 1));
        if (Float.isNaN(tie) || Float.isInfinite(tie) || Float.isNaN(above)) {
            return;
        }
        short rounded = HalfPrecision.toBf16(tie);
        assertThat(rounded & 1).isZero();
        assertThat(HalfPrecision.fromBf16(rounded)).isIn(below, above);
    }

    @Property(tries = 500)
    void shouldKeepValuesExactThatFitInBf16(@ForAll float value) {
        float truncated = Float.intBitsToFloat(Float.floatToRawIntBits(value) & 0xFFFF_0000);
        if (!Float.isNaN(truncated)) {
            assertThat(HalfPrecision.fromBf16(HalfPrecision.toBf16(truncated))).isEqualTo(truncated);
        }
    }

    @Property(tries = 200)
    void shouldConvertInBulkAsElementByElement(@ForAll @Size(max = 40) List<@FloatRange(min = -1e5f, max = 1e5f) Float> values,
                                               @ForAll VectorDtype from, @ForAll VectorDtype to) {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf source = buffers.heap(4 * values.size() + 8);
            ByteBuf target = buffers.direct(4 * values.size() + 8);
            try {
                for (int i = 0; i < values.size(); i++) {
                    HalfPrecision.set(source, 3 + i * from.bytes(), from, values.get(i));
                }
                HalfPrecision.convert(source, 3, from, target, 5, to, values.size());
                for (int i = 0; i < values.size(); i++) {
                    float original = HalfPrecision.get(source, 3 + i * from.bytes(), from);
                    float expected = rounded(to, original);
                    assertThat(HalfPrecision.get(target, 5 + i * to.bytes(), to)).isEqualTo(expected);
                }
            } finally {
                source.release();
                target.release();
            }
        }
    }

    private static float rounded(VectorDtype dtype, float value) {
        return switch (dtype) {
            case F32 -> value;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(value));
            case BF16 -> HalfPrecision.fromBf16(HalfPrecision.toBf16(value));
        };
    }

    /**
     * {@code result} is at least as close to {@code value} as either neighbouring representable
     * value (in double arithmetic, exact for these magnitudes), and on a tie its last bit is 0.
     */
    private static void assertNearestEven(float value, float result, short bits, float up, float down) {
        double error = Math.abs((double) value - result);
        for (float neighbour : new float[] {up, down}) {
            if (!Float.isNaN(neighbour) && !Float.isInfinite(neighbour)) {
                double other = Math.abs((double) value - neighbour);
                assertThat(error).as("value=%s result=%s neighbour=%s", value, result, neighbour).isLessThanOrEqualTo(other);
                if (error == other && neighbour != result) {
                    assertThat(bits & 1).as("tie must round to even: value=%s", value).isZero();
                }
            }
        }
    }
}
