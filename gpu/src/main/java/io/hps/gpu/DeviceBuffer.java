package io.hps.gpu;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * A block of device memory. Owned by whoever allocated it (or took it from a {@link DeviceBufferPool});
 * {@link #close()} frees it.
 *
 * <p>Threads: owner thread of its device only. Asynchronous copies run on the context's stream; the pinned
 * buffer they read or write must stay alive until the stream has passed them.
 */
public final class DeviceBuffer implements AutoCloseable {

    private final DeviceContext context;
    private final CUdeviceptr pointer;
    private final long bytes;
    private boolean freed;

    private DeviceBuffer(DeviceContext context, CUdeviceptr pointer, long bytes) {
        this.context = context;
        this.pointer = pointer;
        this.bytes = bytes;
    }

    static DeviceBuffer allocate(DeviceContext context, long bytes) {
        if (bytes < 1) {
            throw new GpuException("device allocation must be >= 1 byte: bytes=" + bytes);
        }
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, bytes);
        return new DeviceBuffer(context, p, bytes);
    }

    public CUdeviceptr pointer() {
        return pointer;
    }

    /** The address {@code byteOffset} bytes into this buffer. */
    public CUdeviceptr pointer(long byteOffset) {
        checkRange(byteOffset, 0);
        return pointer.withByteOffset(byteOffset);
    }

    public long bytes() {
        return bytes;
    }

    /** Enqueues a copy of {@code count} bytes from {@code source} (offset 0) to this buffer (offset 0). */
    public void copyFromAsync(PinnedBuffer source, long count) {
        checkRange(0, count);
        source.checkRange(0, count);
        cuMemcpyHtoDAsync(pointer, source.pointer(), count, context.stream());
    }

    /** Enqueues a copy of {@code count} bytes from this buffer (offset 0) to {@code target} (offset 0). */
    public void copyToAsync(PinnedBuffer target, long count) {
        checkRange(0, count);
        target.checkRange(0, count);
        cuMemcpyDtoHAsync(target.pointer(), pointer, count, context.stream());
    }

    /** Synchronous copy of {@code data} into this buffer at {@code floatOffset}; for start-up and tests. */
    public void write(float[] data, long floatOffset) {
        context.checkOwner();
        checkRange(floatOffset * Float.BYTES, (long) data.length * Float.BYTES);
        context.synchronize();
        cuMemcpyHtoD(pointer.withByteOffset(floatOffset * Float.BYTES), Pointer.to(data), (long) data.length * Float.BYTES);
    }

    /** Synchronous copy of {@code data} (int64) into this buffer at offset 0; for start-up and tests. */
    public void write(long[] data) {
        context.checkOwner();
        checkRange(0, (long) data.length * Long.BYTES);
        context.synchronize();
        cuMemcpyHtoD(pointer, Pointer.to(data), (long) data.length * Long.BYTES);
    }

    /** Waits for the stream, then copies {@code count} floats from {@code floatOffset} to a new array. */
    public float[] readFloats(long floatOffset, int count) {
        context.checkOwner();
        checkRange(floatOffset * Float.BYTES, (long) count * Float.BYTES);
        context.synchronize();
        float[] out = new float[count];
        cuMemcpyDtoH(Pointer.to(out), pointer.withByteOffset(floatOffset * Float.BYTES), (long) count * Float.BYTES);
        return out;
    }

    /** Enqueues a fill of the first {@code count} floats with {@code value} (e.g. NaN as poison in tests). */
    public void fillAsync(float value, long count) {
        checkRange(0, count * Float.BYTES);
        cuMemsetD32Async(pointer, Float.floatToRawIntBits(value), count, context.stream());
    }

    void checkRange(long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > bytes) {
            throw new GpuException("device buffer range out of bounds: offset=" + offset + " count=" + count
                    + " bytes=" + bytes);
        }
    }

    /** Frees the memory; idempotent. Owner thread only. */
    @Override
    public void close() {
        context.checkOwner();
        if (!freed) {
            freed = true;
            cuMemFree(pointer);
        }
    }
}
