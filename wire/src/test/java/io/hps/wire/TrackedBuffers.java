package io.hps.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Allocates every buffer a test uses and checks, on {@link #close()}, that each one was released
 * (reference count 0). Buffers still referenced are released then, so that one leak does not
 * cascade, and the check fails.
 */
final class TrackedBuffers implements AutoCloseable {
    private final List<ByteBuf> buffers = new ArrayList<>();
    private final ByteBufAllocator allocator = new TrackingAllocator();

    ByteBufAllocator allocator() {
        return allocator;
    }

    ByteBuf heap(int capacity) {
        return allocator.heapBuffer(capacity);
    }

    ByteBuf direct(int capacity) {
        return allocator.directBuffer(capacity);
    }

    /** A buffer holding {@code bytes}, direct or heap, readable from index 0. */
    ByteBuf copyOf(byte[] bytes, boolean direct) {
        ByteBuf buffer = direct ? direct(bytes.length) : heap(bytes.length);
        return buffer.writeBytes(bytes);
    }

    /** A buffer whose capacity is exactly {@code bytes.length}, so any read past it fails. */
    ByteBuf exact(byte[] bytes) {
        ByteBuf buffer = allocator.heapBuffer(bytes.length, bytes.length);
        return buffer.writeBytes(bytes);
    }

    int count() {
        return buffers.size();
    }

    @Override
    public void close() {
        List<String> leaked = new ArrayList<>();
        for (ByteBuf buffer : buffers) {
            if (buffer.refCnt() != 0) {
                leaked.add(buffer.getClass().getSimpleName() + " refCnt=" + buffer.refCnt());
                buffer.release(buffer.refCnt());
            }
        }
        assertThat(leaked).as("buffers not released").isEmpty();
    }

    private final class TrackingAllocator extends AbstractByteBufAllocator {
        TrackingAllocator() {
            super(false);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
        }

        @Override
        public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
            return track(super.compositeHeapBuffer(maxNumComponents));
        }

        @Override
        public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
            return track(super.compositeDirectBuffer(maxNumComponents));
        }

        private <T extends ByteBuf> T track(T buffer) {
            buffers.add(buffer);
            return buffer;
        }
    }
}
