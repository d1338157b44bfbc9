package io.hps.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class StatsSnapshotTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static StatsSnapshot stats(long count, long successNs, long queueNs, long inferNs) {
        return StatsSnapshot.of(JSON.readTree("""
                {"model_stats": [{"name": "m", "version": "1", "inference_stats": {
                  "success": {"count": %d, "ns": %d}, "fail": {"count": 0, "ns": 0},
                  "queue": {"count": %d, "ns": %d}, "compute_input": {"count": %d, "ns": %d},
                  "compute_infer": {"count": %d, "ns": %d}, "compute_output": {"count": %d, "ns": 0}}}]}
                """.formatted(count, successNs, count, queueNs, count, count * 1000, count, inferNs, count)));
    }

    @Test
    void shouldAverageTheGrowthPerRequestInMillis() {
        ServerBreakdown breakdown = stats(110, 60_000_000, 5_000_000, 40_000_000)
                .since(stats(10, 10_000_000, 0, 0));
        assertThat(breakdown.requests()).isEqualTo(100);
        assertThat(breakdown.requestMillis()).isCloseTo(0.5, within(1e-9));
        assertThat(breakdown.queueMillis()).isCloseTo(0.05, within(1e-9));
        assertThat(breakdown.computeInputMillis()).isCloseTo(0.001, within(1e-9));
        assertThat(breakdown.computeInferMillis()).isCloseTo(0.4, within(1e-9));
        assertThat(breakdown.computeOutputMillis()).isZero();
    }

    @Test
    void shouldRejectAnAnswerWithoutStatistics() {
        assertThatThrownBy(() -> StatsSnapshot.of(JSON.readTree("{\"model_stats\": []}")))
                .isInstanceOf(StatisticsFormatException.class).hasMessageContaining("model_stats");
    }
}
