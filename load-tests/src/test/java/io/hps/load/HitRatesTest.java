package io.hps.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HitRatesTest {
    private static String scrape(double unique, double cache, double redis) {
        return """
                # HELP hps_lookup_hits_total distinct keys answered by that level
                # TYPE hps_lookup_hits_total counter
                hps_lookup_hits_total{model="dlrm",tier="cache"} %s
                hps_lookup_hits_total{model="dlrm",tier="redis"} %s
                # TYPE hps_lookup_unique_keys_total counter
                hps_lookup_unique_keys_total{model="dlrm"} %s
                hps_lookup_keys_total{model="dlrm"} 99999.0
                """.formatted(cache, redis, unique);
    }

    @Test
    void shouldComputeTierHitRatesFromCounterGrowth() {
        HitRates before = HitRates.parse(scrape(1000, 900, 100));
        HitRates after = HitRates.parse(scrape(3000, 1100, 1900));
        assertThat(after.ratesSince(before)).containsOnlyKeys("cache", "redis");
        assertThat(after.ratesSince(before).get("cache")).isCloseTo(0.1, within(1e-9));
        assertThat(after.ratesSince(before).get("redis")).isCloseTo(0.9, within(1e-9));
    }

    @Test
    void shouldReportNoRatesWithoutLookups() {
        HitRates same = HitRates.parse(scrape(10, 5, 5));
        assertThat(same.ratesSince(same)).isEmpty();
        assertThat(HitRates.NONE.ratesSince(HitRates.NONE)).isEmpty();
    }
}
