package io.hps.gpu;

import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;

import java.lang.foreign.MemorySegment;
import jcuda.Pointer;

/**
 * Page-locked host memory (cuMemHostAlloc), the staging area for asynchronous host-device copies.
 * {@link #segment()} views it as a native {@link MemorySegment} for zero-copy filling from Java.
 *
 * <p>Threads: allocated and freed on the owner thread; the segment may be filled by any one thread at a time,
 * provided no enqueued copy is still reading or writing it.
 */
public final class PinnedBuffer implements AutoCloseable {

    private final DeviceContext context;
    private final Pointer pointer;
    private final MemorySegment segment;
    private final long bytes;
    private boolean freed;

    private PinnedBuffer(DeviceContext context, Pointer pointer, MemorySegment segment, long bytes) {
        this.context = context;
        this.pointer = pointer;
        this.segment = segment;
        this.bytes = bytes;
    }

    static PinnedBuffer allocate(DeviceContext context, long bytes) {
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            throw new GpuException("pinned allocation must be 1 .. 2^31-1 bytes: bytes=" + bytes);
        }
        Pointer p = new Pointer();
        cuMemHostAlloc(p, bytes, 0);
        MemorySegment segment = MemorySegment.ofBuffer(p.getByteBuffer(0, bytes));
        return new PinnedBuffer(context, p, segment, bytes);
    }

    /** The memory as a native segment of {@link #bytes()} bytes; valid until {@link #close()}. */
    public MemorySegment segment() {
        return segment;
    }

    public Pointer pointer() {
        return pointer;
    }

    public long bytes() {
        return bytes;
    }

    void checkRange(long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > bytes) {
            throw new GpuException("pinned buffer range out of bounds: offset=" + offset + " count=" + count
                    + " bytes=" + bytes);
        }
    }

    /** Frees the memory; idempotent. Owner thread only. */
    @Override
    public void close() {
        context.checkOwner();
        if (!freed) {
            freed = true;
            cuMemFreeHost(pointer);
        }
    }
}
