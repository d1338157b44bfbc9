package io.hps.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledUnsafeDirectByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers for whole frames, with the memory of large ones recycled. Netty's allocators
 * pool only small and medium sizes: a frame of several megabytes (a lookup response of a thousand
 * samples is 13 MB of float32 vectors) is allocated, zeroed and freed each time, which costs about
 * as much as the copy that fills it. Here a buffer of at least {@link #MIN_RECYCLED} bytes takes
 * its memory from a free list of its power-of-two size class and gives it back when released, so a
 * steady flow of large frames allocates nothing. At most {@code maxFreeBytes} are kept on the free
 * lists; memory released beyond that is freed at once (not left to the garbage collector, which
 * would let direct memory run out between collections). Smaller buffers come from
 * the fallback allocator.
 *
 * <p>A buffer's capacity is fixed at the size asked for; it cannot grow. Thread-safe: buffers may
 * be allocated and released on any thread.
 */
public final class FrameBuffers {
    /** Smallest buffer whose memory is recycled; smaller ones come from the fallback allocator. */
    public static final int MIN_RECYCLED = 64 << 10;

    /** System property: MiB the process-wide pool keeps free at most (default 128). */
    public static final String MAX_FREE_MIB_PROPERTY = "hps.frame-buffers.max-free-mib";

    /** The process-wide pool; the system property {@value #MAX_FREE_MIB_PROPERTY} sets the MiB it keeps free (128). */
    public static final FrameBuffers SHARED = new FrameBuffers(ByteBufAllocator.DEFAULT,
            Long.getLong(MAX_FREE_MIB_PROPERTY, 128) << 20);

    private static final int CLASSES = Integer.SIZE;

    private final ByteBufAllocator fallback;
    private final long maxFreeBytes;
    private final boolean recycling = PlatformDependent.hasUnsafe();
    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedQueue<ByteBuffer>[] free = new ConcurrentLinkedQueue[CLASSES];
    private final AtomicLong freeBytes = new AtomicLong();
    private final AtomicLong allocatedBytes = new AtomicLong();

    /**
     * @param fallback     serves buffers under {@link #MIN_RECYCLED} bytes (and every buffer where
     *                     Netty cannot address direct memory itself)
     * @param maxFreeBytes memory kept for reuse at most
     */
    public FrameBuffers(ByteBufAllocator fallback, long maxFreeBytes) {
        this.fallback = fallback;
        this.maxFreeBytes = maxFreeBytes;
        for (int c = 0; c < CLASSES; c++) {
            free[c] = new ConcurrentLinkedQueue<>();
        }
    }

    /** A direct buffer of exactly {@code capacity} bytes (readable bytes 0); the caller owns it. */
    public ByteBuf directBuffer(int capacity) {
        if (capacity < MIN_RECYCLED || !recycling) {
            return fallback.directBuffer(capacity, capacity);
        }
        int sizeClass = sizeClass(capacity);
        ByteBuffer memory = free[sizeClass].poll();
        if (memory != null) {
            freeBytes.addAndGet(-memory.capacity());
        } else {
            memory = ByteBuffer.allocateDirect(1 << sizeClass);
            allocatedBytes.addAndGet(memory.capacity());
        }
        return new Recycled(this, memory, capacity);
    }

    /** Bytes waiting on the free lists. */
    public long freeBytes() {
        return freeBytes.get();
    }

    /** Bytes of direct memory this pool has allocated since it was created (released ones included). */
    public long allocatedBytes() {
        return allocatedBytes.get();
    }

    private void recycle(ByteBuffer memory) {
        if (freeBytes.addAndGet(memory.capacity()) > maxFreeBytes) {
            freeBytes.addAndGet(-memory.capacity());
            PlatformDependent.freeDirectBuffer(memory);
            return;
        }
        free[Integer.numberOfTrailingZeros(memory.capacity())].offer(memory.clear());
    }

    /** Index of the smallest power of two that holds {@code capacity} bytes. */
    static int sizeClass(int capacity) {
        return capacity <= 1 ? 0 : Integer.SIZE - Integer.numberOfLeadingZeros(capacity - 1);
    }

    /** A buffer over pooled memory that returns the memory to the pool when its count drops to zero. */
    private static final class Recycled extends UnpooledUnsafeDirectByteBuf {
        private final FrameBuffers pool;
        private ByteBuffer memory;

        Recycled(FrameBuffers pool, ByteBuffer memory, int capacity) {
            super(ByteBufAllocator.DEFAULT, memory.slice(0, capacity), capacity);
            this.pool = pool;
            this.memory = memory;
            clear();
        }

        @Override
        protected void deallocate() {
            super.deallocate();
            ByteBuffer released = memory;
            memory = null;
            if (released != null) {
                pool.recycle(released);
            }
        }
    }
}
