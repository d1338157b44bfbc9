package io.hps.gpu;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import java.util.ArrayList;
import java.util.List;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

/**
 * One kernel launch: grid, block, dynamic shared memory and the arguments in the kernel's parameter order.
 * Arguments are copied into the launch when it is built, so the builder may be reused only after
 * {@link #launch(CUstream)}.
 *
 * <p>Threads: owner thread of the function's device.
 */
public final class KernelLaunch {

    private final CUfunction function;
    private final List<NativePointerObject> args = new ArrayList<>(12);
    private int gridX = 1;
    private int gridY = 1;
    private int blockX = 1;
    private int sharedBytes;

    private KernelLaunch(CUfunction function) {
        this.function = function;
    }

    public static KernelLaunch of(CUfunction function) {
        return new KernelLaunch(function);
    }

    public KernelLaunch grid(int x, int y) {
        if (x < 1 || y < 1 || y > 65535) {
            throw new GpuException("grid out of range: x=" + x + " y=" + y);
        }
        gridX = x;
        gridY = y;
        return this;
    }

    public KernelLaunch grid(int x) {
        return grid(x, 1);
    }

    public KernelLaunch block(int x) {
        if (x < 1 || x > 1024) {
            throw new GpuException("block out of range: x=" + x);
        }
        blockX = x;
        return this;
    }

    public KernelLaunch sharedBytes(int bytes) {
        sharedBytes = bytes;
        return this;
    }

    public KernelLaunch arg(CUdeviceptr pointer) {
        args.add(Pointer.to(pointer));
        return this;
    }

    public KernelLaunch arg(DeviceBuffer buffer) {
        return arg(buffer.pointer());
    }

    public KernelLaunch arg(int value) {
        args.add(Pointer.to(new int[] {value}));
        return this;
    }

    public KernelLaunch arg(long value) {
        args.add(Pointer.to(new long[] {value}));
        return this;
    }

    /** A null device pointer argument (kernels document which pointers may be null). */
    public KernelLaunch nullArg() {
        return arg(0L);
    }

    /** Enqueues the kernel on {@code stream}. */
    public void launch(CUstream stream) {
        Pointer params = Pointer.to(args.toArray(new NativePointerObject[0]));
        cuLaunchKernel(function, gridX, gridY, 1, blockX, 1, 1, sharedBytes, stream, params, null);
    }
}
