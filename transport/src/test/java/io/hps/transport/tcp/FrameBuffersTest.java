package io.hps.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

class FrameBuffersTest {

    @Test
    void shouldGiveExactlyTheCapacityAskedFor() {
        FrameBuffers buffers = new FrameBuffers(ByteBufAllocator.DEFAULT, 64L << 20);
        for (int capacity : new int[] {1, 100, FrameBuffers.MIN_RECYCLED - 1, FrameBuffers.MIN_RECYCLED, 1_000_003}) {
            ByteBuf b = buffers.directBuffer(capacity);
            try {
                assertThat(b.capacity()).isEqualTo(capacity);
                assertThat(b.maxCapacity()).isEqualTo(capacity);
                assertThat(b.readableBytes()).isZero();
                assertThat(b.isDirect()).isTrue();
                b.writeZero(capacity);
                assertThat(b.isWritable()).isFalse();
            } finally {
                b.release();
            }
        }
    }

    @Test
    void shouldReuseReleasedMemoryOfTheSameSizeClass() {
        FrameBuffers buffers = new FrameBuffers(ByteBufAllocator.DEFAULT, 64L << 20);
        ByteBuf first = buffers.directBuffer(3_000_000);
        long address = first.memoryAddress();
        first.writeLong(42);
        first.release();
        assertThat(buffers.freeBytes()).isEqualTo(4 << 20);
        ByteBuf second = buffers.directBuffer(4 << 20);
        try {
            assertThat(second.memoryAddress()).isEqualTo(address);
            assertThat(buffers.freeBytes()).isZero();
            assertThat(buffers.allocatedBytes()).isEqualTo(4 << 20);
        } finally {
            second.release();
        }
        for (int i = 0; i < 100; i++) {
            buffers.directBuffer(2_500_000 + i).release();
        }
        assertThat(buffers.allocatedBytes()).isEqualTo(4 << 20);
    }

    @Test
    void shouldFreeMemoryBeyondTheLimitInsteadOfKeepingIt() {
        FrameBuffers buffers = new FrameBuffers(ByteBufAllocator.DEFAULT, 1 << 20);
        ByteBuf a = buffers.directBuffer(1 << 20);
        ByteBuf b = buffers.directBuffer(1 << 20);
        a.release();
        b.release();
        assertThat(buffers.freeBytes()).isEqualTo(1 << 20);
        assertThat(buffers.allocatedBytes()).isEqualTo(2 << 20);
    }

    @Test
    void shouldPickThePowerOfTwoThatHoldsTheCapacity() {
        assertThat(FrameBuffers.sizeClass(1)).isZero();
        assertThat(FrameBuffers.sizeClass(65_536)).isEqualTo(16);
        assertThat(FrameBuffers.sizeClass(65_537)).isEqualTo(17);
        assertThat(FrameBuffers.sizeClass((16 << 20) - 1024)).isEqualTo(24);
    }
}
