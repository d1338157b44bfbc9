package io.hps.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** What the static CPU table adds to the contract: rows stay with their keys until clear. */
class CpuStaticTableTest {
    private static final int DIMENSION = 4;

    @Test
    void shouldKeepTheRowOfAnInvalidatedKeyForThatKey() {
        try (CpuStaticTable table = new CpuStaticTable(new DeviceCacheConfig(CacheMode.STATIC, 2, DIMENSION));
                Arena arena = Arena.ofConfined()) {
            MemorySegment vectors = arena.allocate(2L * DIMENSION * Float.BYTES);
            table.replace(new long[] {1, 2}, 0, 2, vectors, 0);
            table.invalidate(new long[] {1}, 0, 1);

            assertThatThrownBy(() -> table.replace(new long[] {3}, 0, 1, vectors, 0))
                    .isInstanceOf(CacheCapacityExceededException.class)
                    .hasMessage("static cache full: capacityRows=2 key=3");
            table.replace(new long[] {1}, 0, 1, vectors, 0);
            assertThat(table.size()).isEqualTo(2);
        }
    }

    @Test
    void shouldGiveRowsToNewKeysAfterClear() {
        try (CpuStaticTable table = new CpuStaticTable(new DeviceCacheConfig(CacheMode.STATIC, 2, DIMENSION));
                Arena arena = Arena.ofConfined()) {
            MemorySegment vectors = arena.allocate(2L * DIMENSION * Float.BYTES);
            table.replace(new long[] {1, 2}, 0, 2, vectors, 0);

            table.clear();
            table.replace(new long[] {3, 4}, 0, 2, vectors, 0);

            MissList misses = new MissList(4);
            MemorySegment out = arena.allocate(4L * DIMENSION * Float.BYTES);
            assertThat(table.query(new long[] {1, 2, 3, 4}, 0, 4, out, 0, misses)).isEqualTo(2);
            assertThat(misses.index(0)).isZero();
            assertThat(misses.index(1)).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseADynamicConfiguration() {
        assertThatThrownBy(() -> new CpuStaticTable(new DeviceCacheConfig(CacheMode.DYNAMIC, 10, 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mode=DYNAMIC");
    }
}
