package io.hps.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizeBudgetTest {
    @Test
    void shouldScaleTheLatencyLinearlyWithTheBatch() {
        assertThat(SizeBudget.estimateMillis(1024, 10.0, 4096)).isEqualTo(40.0);
        assertThat(SizeBudget.estimateMillis(32, 0.5, 64)).isEqualTo(1.0);
    }

    @Test
    void shouldRunASizeWhoseEstimateFitsTheBudget() {
        SizeBudget budget = new SizeBudget(60_000, 10);
        assertThat(budget.skipReason(32768, 2_000, 65536)).isEmpty();
    }

    @Test
    void shouldSkipASizeWhoseEstimateExceedsTheBudgetAndSayWhy() {
        SizeBudget budget = new SizeBudget(60_000, 10);
        assertThat(budget.skipReason(65536, 4_000, 131072)).hasValueSatisfying(reason -> assertThat(reason)
                .contains("8000 ms per request", "batch 65536", "budget 60000 ms"));
    }

    @Test
    void shouldRejectAnEmptyBudget() {
        assertThatThrownBy(() -> new SizeBudget(0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stepBudgetMillis=0");
    }
}
