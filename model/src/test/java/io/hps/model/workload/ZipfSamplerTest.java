package io.hps.model.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ZipfSamplerTest {

    /** rank 1 is 10^s times as frequent as rank 10; checked on a table of Criteo's largest size. */
    @ParameterizedTest(name = "s={0}")
    @ValueSource(doubles = {0.8, 1.0, 1.05, 1.5})
    void shouldMakeRankOneTenToTheSTimesAsFrequentAsRankTen(double s) {
        ZipfSampler sampler = new ZipfSampler(8_165_896L, s);
        SplittableRandom random = new SplittableRandom(11);
        long rank1 = 0;
        long rank10 = 0;
        for (int i = 0; i < 1_000_000; i++) {
            long k = sampler.sample(random);
            rank1 += k == 1 ? 1 : 0;
            rank10 += k == 10 ? 1 : 0;
        }

        assertThat((double) rank1 / rank10).isCloseTo(Math.pow(10, s), within(0.06 * Math.pow(10, s)));
    }

    /**
     * Pearson's chi-square over all 50 ranks, 2,000,000 draws: 49 degrees of freedom, so a correct
     * sampler stays below 100 (p = 2.5e-5); skipping the rejection step alone pushes it above 200.
     */
    @Test
    void shouldMatchExactProbabilitiesOnASmallDomain() {
        ZipfSampler sampler = new ZipfSampler(50, 1.05);
        SplittableRandom random = new SplittableRandom(5);
        int draws = 2_000_000;
        long[] counts = new long[51];
        for (int i = 0; i < draws; i++) {
            long k = sampler.sample(random);
            assertThat(k).isBetween(1L, 50L);
            counts[(int) k]++;
        }

        double chiSquare = 0;
        for (int k = 1; k <= 50; k++) {
            double expected = draws * sampler.probability(k);
            chiSquare += (counts[k] - expected) * (counts[k] - expected) / expected;
        }
        assertThat(chiSquare).isLessThan(100);
    }

    @Test
    void shouldAlwaysDrawTheOnlyRankOfASingletonDomain() {
        ZipfSampler sampler = new ZipfSampler(1, 1.05);
        SplittableRandom random = new SplittableRandom(1);

        for (int i = 0; i < 1000; i++) {
            assertThat(sampler.sample(random)).isEqualTo(1);
        }
    }

    @Test
    void shouldRejectInvalidParameters() {
        assertThatThrownBy(() -> new ZipfSampler(0, 1.0)).hasMessage("rank count must be >= 1: n=0");
        assertThatThrownBy(() -> new ZipfSampler(10, 0)).hasMessage("zipf exponent must be > 0: exponent=0.0");
        assertThatThrownBy(() -> new ZipfSampler(10, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
