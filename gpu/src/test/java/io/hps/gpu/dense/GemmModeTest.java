package io.hps.gpu.dense;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GemmModeTest {

    @Test
    void shouldRoundToTheNearestTf32WithTiesAwayFromZero() {
        float ulp = (float) Math.scalb(1.0, -10);

        assertThat(GemmMode.roundTf32(1.0f + ulp / 4)).isEqualTo(1.0f);
        assertThat(GemmMode.roundTf32(1.0f + ulp * 3 / 4)).isEqualTo(1.0f + ulp);
        assertThat(GemmMode.roundTf32(1.0f + ulp / 2)).isEqualTo(1.0f + ulp);
        assertThat(GemmMode.roundTf32(-1.0f - ulp / 2)).isEqualTo(-1.0f - ulp);
        assertThat(GemmMode.roundTf32(Float.NaN)).isNaN();
        assertThat(GemmMode.roundTf32(Float.NEGATIVE_INFINITY)).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void shouldKeepOnlyTenMantissaBits() {
        java.util.SplittableRandom random = new java.util.SplittableRandom();
        for (int i = 0; i < 10_000; i++) {
            float x = (float) random.nextDouble(-1e6, 1e6);
            float r = GemmMode.roundTf32(x);
            assertThat(Float.floatToRawIntBits(r) & 0x1FFF).isZero();
            assertThat(Math.abs(r - x)).isLessThanOrEqualTo(Math.ulp(x) * 4096);
        }
    }
}
