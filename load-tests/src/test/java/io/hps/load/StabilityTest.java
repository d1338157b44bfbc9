package io.hps.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StabilityTest {
    @Test
    void shouldNeedThreeWindows() {
        assertThat(Stability.stable(List.of(100.0, 100.0), 10)).isFalse();
        assertThat(Stability.stable(List.of(100.0, 100.0, 100.0), 10)).isTrue();
    }

    @Test
    void shouldJudgeOnlyTheLastThreeWindows() {
        assertThat(Stability.stable(List.of(10.0, 500.0, 100.0, 104.0, 96.0), 10)).isTrue();
        assertThat(Stability.stable(List.of(100.0, 100.0, 100.0, 100.0, 150.0), 10)).isFalse();
    }

    @Test
    void shouldApplyThePercentageAroundTheMean() {
        List<Double> spread = List.of(90.0, 100.0, 110.0);
        assertThat(Stability.stable(spread, 10)).isTrue();
        assertThat(Stability.stable(spread, 5)).isFalse();
    }

    @Test
    void shouldNotCallIdleWindowsStable() {
        assertThat(Stability.stable(List.of(0.0, 0.0, 0.0), 10)).isFalse();
        assertThat(Stability.stable(List.of(100.0, 0.0, 100.0), 100)).isFalse();
    }
}
