package io.hps.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class KeyDeduplicatorTest {

    @Property(tries = 300)
    void shouldRebuildEveryKeyFromDistinctKeysInFirstOccurrenceOrder(
            @ForAll @Size(max = 300) List<@LongRange(min = -20, max = 20) Long> small,
            @ForAll @Size(max = 300) List<Long> any) {
        KeyDeduplicator deduplicator = new KeyDeduplicator(300);
        for (List<Long> batch : List.of(small, any, small)) {
            long[] keys = batch.stream().mapToLong(Long::longValue).toArray();
            long[] unique = new long[300];
            int[] inverse = new int[300];

            int distinct = deduplicator.deduplicate(keys, 0, keys.length, unique, inverse);

            assertThat(Arrays.copyOf(unique, distinct)).containsExactly(LongStream.of(keys).distinct().toArray());
            long[] rebuilt = new long[keys.length];
            for (int i = 0; i < keys.length; i++) {
                rebuilt[i] = unique[inverse[i]];
            }
            assertThat(rebuilt).containsExactly(keys);
        }
    }

    @Test
    void shouldDeduplicateOneColumnOfARowMajorBatch() {
        long[] batchByTable = {
            1, 100,
            2, 100,
            1, 0,
            Long.MIN_VALUE, 0,
        };
        long[] unique = new long[4];
        int[] inverse = new int[4];
        KeyDeduplicator deduplicator = new KeyDeduplicator(4);

        assertThat(deduplicator.deduplicate(batchByTable, 0, 4, 2, unique, inverse)).isEqualTo(3);
        assertThat(unique).startsWith(1, 2, Long.MIN_VALUE);
        assertThat(inverse).containsExactly(0, 1, 0, 2);
        assertThat(deduplicator.deduplicate(batchByTable, 1, 4, 2, unique, inverse)).isEqualTo(2);
        assertThat(unique).startsWith(100, 0);
        assertThat(inverse).containsExactly(0, 0, 1, 1);
    }

    @Test
    void shouldForgetEarlierCallsWhenTheGenerationWrapsAround() {
        KeyDeduplicator deduplicator = new KeyDeduplicator(4);
        long[] unique = new long[4];
        int[] inverse = new int[4];
        deduplicator.deduplicate(new long[] {1, 2}, 0, 2, unique, inverse);
        deduplicator.generation(-1);

        int distinct = deduplicator.deduplicate(new long[] {3, 1}, 0, 2, unique, inverse);

        assertThat(distinct).isEqualTo(2);
        assertThat(unique).startsWith(3, 1);
        assertThat(inverse).startsWith(0, 1);
    }

    @Test
    void shouldRejectBatchesItWasNotSizedFor() {
        KeyDeduplicator deduplicator = new KeyDeduplicator(2);
        long[] keys = {1, 2, 3};

        assertThatThrownBy(() -> deduplicator.deduplicate(keys, 0, 3, new long[3], new int[3]))
                .hasMessage("key count out of range: count=3 maxKeys=2");
        assertThatThrownBy(() -> deduplicator.deduplicate(keys, 1, 2, 2, new long[2], new int[2]))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("keys out of range: offset=1 count=2 stride=2 length=3");
        assertThatThrownBy(() -> deduplicator.deduplicate(keys, 0, 2, new long[1], new int[2]))
                .hasMessageStartingWith("output arrays too small");
        assertThat(deduplicator.deduplicate(keys, 3, 0, new long[0], new int[0])).isZero();
    }
}
