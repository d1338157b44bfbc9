package io.hps.model.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class KeyPermutationTest {

    @Property(tries = 60)
    void shouldMapDomainOntoItselfOneToOne(@ForAll @IntRange(min = 1, max = 5000) int n, @ForAll long seed) {
        KeyPermutation permutation = new KeyPermutation(n, seed);
        BitSet seen = new BitSet(n);

        for (int x = 0; x < n; x++) {
            long y = permutation.apply(x);
            assertThat(y).isBetween(0L, n - 1L);
            seen.set((int) y);
        }

        assertThat(seen.cardinality()).isEqualTo(n);
    }

    @Test
    void shouldScatterConsecutiveValues() {
        KeyPermutation permutation = new KeyPermutation(8_165_896L, 42);
        int fixedOrNear = 0;
        for (long x = 0; x < 1000; x++) {
            long y = permutation.apply(x);
            fixedOrNear += Math.abs(y - x) < 1000 ? 1 : 0;
        }

        assertThat(fixedOrNear).isLessThan(5);
    }

    @Test
    void shouldDependOnTheSeed() {
        KeyPermutation a = new KeyPermutation(1_000_000, 1);
        KeyPermutation b = new KeyPermutation(1_000_000, 2);
        int same = 0;
        for (long x = 0; x < 1000; x++) {
            same += a.apply(x) == b.apply(x) ? 1 : 0;
        }

        assertThat(same).isLessThan(5);
        assertThat(new KeyPermutation(1_000_000, 1).apply(123)).isEqualTo(a.apply(123));
    }

    @Test
    void shouldRejectValuesOutsideTheDomain() {
        KeyPermutation permutation = new KeyPermutation(10, 0);

        assertThatThrownBy(() -> permutation.apply(10)).hasMessage("value outside the domain: x=10 n=10");
        assertThatThrownBy(() -> permutation.apply(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KeyPermutation(0, 0)).hasMessage("domain size must be >= 1: n=0");
    }
}
