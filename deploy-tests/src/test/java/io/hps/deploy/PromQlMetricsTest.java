package io.hps.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlMetricsTest {
    @Test
    void shouldReadMetricsButNotFunctionsLabelsOrGroupings() {
        assertThat(PromQlMetrics.of("histogram_quantile(0.99, sum by (model, path, le) "
                + "(rate(gateway_infer_latency_seconds_bucket{model=~\"$model\", tier=\"a_b\"}[$__rate_interval])))"))
                .containsExactly("gateway_infer_latency_seconds_bucket");
    }

    @Test
    void shouldReadBothSidesOfBinaryOperatorsAndSkipModifiersAndNumbers() {
        assertThat(PromQlMetrics.of("sum by (model, tier) (rate(hps_lookup_hits_total[5m])) / ignoring(tier) "
                + "group_left sum by (model) (rate(hps_lookup_unique_keys_total[5m])) > 1e-9 "
                + "and x:y:rate5m offset 1h unless on (instance) up == bool 0"))
                .containsExactly("hps_lookup_hits_total", "hps_lookup_unique_keys_total", "x:y:rate5m", "up");
    }

    @Test
    void shouldReadTheMetricOfALabelValuesVariable() {
        assertThat(PromQlMetrics.ofVariableQuery("label_values(hps_lookups_total, model)"))
                .containsExactly("hps_lookups_total");
        assertThat(PromQlMetrics.ofVariableQuery("query_result(max(jvm_info))")).containsExactly("jvm_info");
    }
}
