package io.hps.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class OffHeapSlabTest {
    @Test
    void shouldHandOutZeroedAlignedWritableSlabOfTheExactSizeUntilTheArenaCloses() {
        long bytes = 3 * OffHeapSlab.HUGE_PAGE_BYTES + 4096;
        MemorySegment slab;
        try (Arena arena = Arena.ofShared()) {
            slab = OffHeapSlab.allocate(arena, bytes);
            assertThat(slab.byteSize()).isEqualTo(bytes);
            assertThat(slab.address() % 64).isZero();
            for (long offset = 0; offset < bytes; offset += 4096) {
                assertThat(slab.get(ValueLayout.JAVA_LONG, offset)).isZero();
            }
            slab.set(ValueLayout.JAVA_LONG, bytes - 8, 42L);
            assertThat(slab.get(ValueLayout.JAVA_LONG, bytes - 8)).isEqualTo(42L);
        }
        MemorySegment closed = slab;
        assertThatThrownBy(() -> closed.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldAllocateSmallSlabsFromTheArena() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slab = OffHeapSlab.allocate(arena, 1000);
            assertThat(slab.byteSize()).isEqualTo(1000);
            assertThat(slab.address() % 64).isZero();
            assertThat(slab.get(ValueLayout.JAVA_BYTE, 999)).isZero();
        }
    }
}
