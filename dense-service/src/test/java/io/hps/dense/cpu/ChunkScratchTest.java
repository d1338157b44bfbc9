package io.hps.dense.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChunkScratchTest {

    @Test
    void shouldPlaceTheSecondBufferHalfAPageAndHalfALineFromTheFirst() {
        for (int floats : new int[] {1, 1024, 1024 * MicroKernel.STRIDE, 479 * MicroKernel.STRIDE, 1_000_003}) {
            int second = ChunkScratch.secondOffset(floats);
            long distance = (long) second * Float.BYTES;
            assertThat(second).as("after the first buffer").isGreaterThanOrEqualTo(floats);
            assertThat(second - floats).as("padding under a page").isLessThan(4096 / Float.BYTES);
            assertThat(distance % 4096).as("distance modulo 4 KiB").isEqualTo(2048 + 64);
        }
    }

    @Test
    void shouldHoldBothBuffersInOneArray() {
        ChunkScratch scratch = new ChunkScratch(1024, MicroKernel.STRIDE, 27 * 128);
        assertThat(scratch.act.length).isEqualTo(scratch.second + 1024 * MicroKernel.STRIDE);
        assertThat(scratch.vectors).hasSize(27 * 128);
    }
}
