package io.hps.model.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hps.model.CriteoTables;
import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadGeneratorTest {

    private static final List<TableSpec> CRITEO = CriteoTables.fl15(1.0, 128);

    private static WorkloadGenerator criteo(WorkloadSettings settings) {
        return WorkloadGenerator.forArchitecture(DlrmArchitecture.criteo(CRITEO), settings);
    }

    @Test
    void shouldRepeatTheSameStreamForTheSameSeed() {
        WorkloadGenerator a = criteo(WorkloadSettings.zipf(42));
        WorkloadGenerator b = criteo(WorkloadSettings.zipf(42));

        for (int i = 0; i < 5; i++) {
            assertThat(a.next(64)).isEqualTo(b.next(64));
        }
        assertThat(criteo(WorkloadSettings.zipf(43)).next(64)).isNotEqualTo(criteo(WorkloadSettings.zipf(42)).next(64));
    }

    @Test
    void shouldAgreeBetweenStreamAndRandomAccess() {
        WorkloadGenerator stream = criteo(WorkloadSettings.zipf(7).withUnknownKeyFraction(0.05));
        WorkloadGenerator random = criteo(WorkloadSettings.zipf(7).withUnknownKeyFraction(0.05));

        Batch b0 = stream.next(32);
        Batch b1 = stream.next(32);
        Batch b2 = stream.next(32);

        assertThat(random.batch(2, 32)).isEqualTo(b2);
        assertThat(random.batch(0, 32)).isEqualTo(b0);
        assertThat(random.batch(1, 32)).isEqualTo(b1);
        assertThat(random.samples(40, 8).keys()).containsExactly(Arrays.copyOfRange(b1.keys(), 8 * 26, 16 * 26));
        assertThat(random.samples(40, 8).dense()).containsExactly(Arrays.copyOfRange(b1.dense(), 8 * 13, 16 * 13));
    }

    @Test
    void shouldLayOutBatchesSampleMajor() {
        Batch batch = criteo(WorkloadSettings.zipf(1)).batch(3, 16);

        assertThat(batch.batchSize()).isEqualTo(16);
        assertThat(batch.denseFeatures()).isEqualTo(13);
        assertThat(batch.tableCount()).isEqualTo(26);
        assertThat(batch.keys()).hasSize(16 * 26);
        assertThat(batch.dense()).hasSize(16 * 13);
        assertThat(batch.key(5, 9)).isEqualTo(batch.keys()[5 * 26 + 9]);
        assertThat(batch.dense(5, 9)).isEqualTo(batch.dense()[5 * 13 + 9]);
    }

    @Test
    void shouldKeepKeysInsideEveryTable() {
        for (WorkloadSettings settings : List.of(WorkloadSettings.zipf(3), WorkloadSettings.uniform(3))) {
            Batch batch = criteo(settings).next(4000);
            for (int s = 0; s < batch.batchSize(); s++) {
                for (int t = 0; t < CRITEO.size(); t++) {
                    assertThat(batch.key(s, t)).isBetween(0L, CRITEO.get(t).rows() - 1);
                }
            }
        }
    }

    @Test
    void shouldDrawTheConfiguredFractionOfUnknownKeys() {
        Batch batch = criteo(WorkloadSettings.zipf(9).withUnknownKeyFraction(0.1)).next(10_000);
        long unknown = 0;
        for (int s = 0; s < batch.batchSize(); s++) {
            for (int t = 0; t < CRITEO.size(); t++) {
                long key = batch.key(s, t);
                assertThat(key).isNotNegative();
                unknown += key >= CRITEO.get(t).rows() ? 1 : 0;
            }
        }

        assertThat((double) unknown / batch.keys().length).isCloseTo(0.1, within(0.005));
    }

    /** Largest Criteo table (8,165,896 rows): rank 1 is drawn about 10^1.05 = 11.2 times as often as rank 10. */
    @Test
    void shouldSkewKeysByThePowerLaw() {
        WorkloadGenerator generator = new WorkloadGenerator(List.of(CRITEO.get(19)), 1, WorkloadSettings.zipf(5));
        Map<Long, Integer> counts = countKeys(generator.next(1_000_000), 0);

        double ratio = (double) counts.get(generator.hotKey(0, 1)) / counts.get(generator.hotKey(0, 10));

        assertThat(CRITEO.get(19).rows()).isEqualTo(8_165_896L);
        assertThat(ratio).isCloseTo(Math.pow(10, 1.05), within(0.06 * Math.pow(10, 1.05)));
    }

    /** Top 1% of a 100,000-row table: 1000 rows expected to take sum(k^-1.05, k<=1000) / sum(k^-1.05, k<=1e5). */
    @Test
    void shouldGiveTheTopOnePercentOfKeysALargeShare() {
        int rows = 100_000;
        WorkloadGenerator zipf = new WorkloadGenerator(List.of(new TableSpec("t", rows, 4)), 1, WorkloadSettings.zipf(8));
        WorkloadGenerator uniform = new WorkloadGenerator(List.of(new TableSpec("t", rows, 4)), 1,
                WorkloadSettings.uniform(8));
        Set<Long> top = new HashSet<>();
        for (long r = 1; r <= rows / 100; r++) {
            top.add(zipf.hotKey(0, r));
        }

        double expected = harmonic(rows / 100, 1.05) / harmonic(rows, 1.05);
        assertThat(share(zipf.next(200_000), top)).isCloseTo(expected, within(0.01)).isGreaterThan(0.6);
        assertThat(share(uniform.next(200_000), top)).isCloseTo(0.01, within(0.002));
    }

    @Test
    void shouldDrawDenseFeaturesAsLogOfHeavyTailedCounts() {
        Batch batch = criteo(WorkloadSettings.zipf(2)).next(10_000);
        float min = (float) Math.log(2);
        float max = (float) Math.log(WorkloadGenerator.MAX_COUNT + 2.0);
        int zeros = 0;
        int large = 0;
        for (float x : batch.dense()) {
            assertThat(x).isBetween(min, max);
            zeros += x == min ? 1 : 0;
            large += x > Math.log(100 + 2) ? 1 : 0;
        }

        double zeroShare = (double) zeros / batch.dense().length;
        assertThat(zeroShare).isCloseTo(1 - Math.pow(2, -WorkloadGenerator.COUNT_TAIL), within(0.01));
        assertThat(large).isGreaterThan(100);
    }

    @Test
    void shouldRejectInvalidRequestsAndSettings() {
        WorkloadGenerator generator = criteo(WorkloadSettings.zipf(1));

        assertThatThrownBy(() -> generator.next(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> generator.batch(-1, 8)).hasMessage("batch index must be >= 0: index=-1");
        assertThatThrownBy(() -> WorkloadSettings.zipf(1).withZipfExponent(0))
                .hasMessage("zipf exponent must be > 0: zipfExponent=0.0");
        assertThatThrownBy(() -> WorkloadSettings.zipf(1).withUnknownKeyFraction(1.5))
                .hasMessage("unknown key fraction must be in [0, 1]: unknownKeyFraction=1.5");
        assertThatThrownBy(() -> new WorkloadGenerator(List.of(), 13, WorkloadSettings.zipf(1)))
                .hasMessage("a workload needs at least one table");
    }

    private static Map<Long, Integer> countKeys(Batch batch, int table) {
        Map<Long, Integer> counts = new HashMap<>();
        for (int s = 0; s < batch.batchSize(); s++) {
            counts.merge(batch.key(s, table), 1, Integer::sum);
        }
        return counts;
    }

    private static double share(Batch batch, Set<Long> keys) {
        long hits = 0;
        for (long key : batch.keys()) {
            hits += keys.contains(key) ? 1 : 0;
        }
        return (double) hits / batch.keys().length;
    }

    private static double harmonic(long n, double s) {
        double sum = 0;
        for (long k = n; k >= 1; k--) {
            sum += Math.pow(k, -s);
        }
        return sum;
    }
}
