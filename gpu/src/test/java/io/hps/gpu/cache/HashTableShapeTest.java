package io.hps.gpu.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HashTableShapeTest {
    @Test
    void shouldRoundAnEvictingTableUpToWholeSetsWithOneRowPerSlot() {
        HashTableShape shape = HashTableShape.evicting(1000, 128);

        assertThat(shape).isEqualTo(new HashTableShape(32, 1024, 128, true));
        assertThat(shape.slots()).isEqualTo(1024);
        assertThat(shape.rowBytes()).isEqualTo(512);
        assertThat(HashTableShape.evicting(16, 8).sets()).isEqualTo(1);
    }

    @Test
    void shouldGiveAStaticTableExactlyItsRowsAndTwiceAsManySlots() {
        HashTableShape shape = HashTableShape.staticTable(1000, 8);

        assertThat(shape).isEqualTo(new HashTableShape(63, 1000, 8, false));
        assertThat(shape.slots()).isGreaterThanOrEqualTo(2000);
        assertThat(HashTableShape.staticTable(1, 8).sets()).isEqualTo(1);
    }

    @Test
    void shouldRejectShapesTheKernelsCannotAddress() {
        assertThatThrownBy(() -> new HashTableShape(0, 32, 8, true)).hasMessage("set count out of range: sets=0");
        assertThatThrownBy(() -> new HashTableShape(1 << 26, 1L << 31, 8, true))
                .hasMessage("set count out of range: sets=67108864");
        assertThatThrownBy(() -> new HashTableShape(2, 32, 8, true))
                .hasMessage("evicting table has one row per slot: sets=2 rows=32");
        assertThatThrownBy(() -> new HashTableShape(2, 32, 0, false))
                .hasMessage("vector dimension must be positive: dimension=0");
        assertThatThrownBy(() -> HashTableShape.staticTable(0, 8))
                .hasMessage("table capacity out of range: capacityRows=0");
    }
}
