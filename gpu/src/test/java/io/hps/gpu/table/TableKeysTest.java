package io.hps.gpu.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TableKeysTest {

    @Test
    void shouldKeepTablesApartAndDecodeBack() {
        long a = TableKeys.encode(0, 5);
        long b = TableKeys.encode(1, 5);
        assertThat(a).isNotEqualTo(b);
        assertThat(TableKeys.table(TableKeys.encode(25, (1L << 40) - 2))).isEqualTo(25);
        assertThat(TableKeys.key(TableKeys.encode(25, (1L << 40) - 2))).isEqualTo((1L << 40) - 2);
    }

    @Test
    void shouldMapKeysBeyondAnyTableToTheUnknownKeyOfTheirTable() {
        for (long key : new long[] {1L << 40, Long.MAX_VALUE, -1}) {
            assertThat(TableKeys.table(TableKeys.encode(3, key))).isEqualTo(3);
            assertThat(TableKeys.key(TableKeys.encode(3, key))).isEqualTo(TableKeys.UNKNOWN);
        }
    }

    @Test
    void shouldStageLargeBatchesSampleMajorLikeSmallOnes() {
        int batch = 20_000;
        int tables = 26;
        long[] keys = new SplittableRandom(3).longs((long) batch * tables, 0, 1L << 30).toArray();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment out = arena.allocate((long) keys.length * Long.BYTES);
            TableKeys.stage(keys, batch, tables, out);
            for (int i = 0; i < keys.length; i += 977) {
                long encoded = out.getAtIndex(ValueLayout.JAVA_LONG, i);
                assertThat(TableKeys.table(encoded)).isEqualTo(i % tables);
                assertThat(TableKeys.key(encoded)).isEqualTo(keys[i]);
            }
            long last = out.getAtIndex(ValueLayout.JAVA_LONG, keys.length - 1);
            assertThat(last).isEqualTo(TableKeys.encode(tables - 1, keys[keys.length - 1]));
        }
    }
}
