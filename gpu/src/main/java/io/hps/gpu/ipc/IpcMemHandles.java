package io.hps.gpu.ipc;

import static jcuda.driver.JCudaDriver.cuIpcCloseMemHandle;
import static jcuda.driver.JCudaDriver.cuIpcGetMemHandle;
import static jcuda.driver.JCudaDriver.cuIpcOpenMemHandle;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.GpuException;
import java.lang.reflect.Field;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUipcMemHandle;
import jcuda.driver.CUipcMem_flags;

/**
 * CUDA IPC memory handles as plain bytes: {@link #export} turns a device allocation into the 64 bytes of its
 * {@code CUipcMemHandle} (which can travel in a frame), {@link #open} maps such bytes, exported by another process
 * on the same host, into this process's context.
 *
 * <p>JCuda keeps the handle bytes in the private field {@code CUipcMemHandle.reserved}; this class reaches it by
 * reflection. Threads: owner thread of the context only.
 */
public final class IpcMemHandles {

    /** Bytes of a {@code CUipcMemHandle}. */
    public static final int HANDLE_BYTES = 64;

    private static final Field RESERVED = reservedField();

    private IpcMemHandles() {
    }

    private static Field reservedField() {
        try {
            Field f = CUipcMemHandle.class.getDeclaredField("reserved");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException e) {
            throw new GpuException("CUipcMemHandle.reserved not reachable: jcuda=" + CUipcMemHandle.class, e);
        }
    }

    /**
     * The handle of the allocation behind {@code buffer} (its base address). The buffer stays owned by the caller;
     * the handle is valid in other processes as long as the buffer is not freed.
     */
    public static byte[] export(DeviceContext context, DeviceBuffer buffer) {
        context.checkOwner();
        CUipcMemHandle handle = new CUipcMemHandle();
        cuIpcGetMemHandle(handle, buffer.pointer());
        return bytes(handle);
    }

    /**
     * Maps the allocation of another process into this context; costs about a quarter of a millisecond, so callers
     * keep the result ({@link OpenedHandles}). Release it with {@link #close(DeviceContext, CUdeviceptr)}.
     *
     * @throws GpuException if {@code handleBytes} is not 64 bytes long or the driver refuses the handle
     */
    public static CUdeviceptr open(DeviceContext context, byte[] handleBytes) {
        context.checkOwner();
        if (handleBytes.length != HANDLE_BYTES) {
            throw new GpuException("CUDA IPC handle must have 64 bytes: bytes=" + handleBytes.length);
        }
        CUipcMemHandle handle = new CUipcMemHandle();
        set(handle, handleBytes.clone());
        CUdeviceptr pointer = new CUdeviceptr();
        cuIpcOpenMemHandle(pointer, handle, CUipcMem_flags.CU_IPC_MEM_LAZY_ENABLE_PEER_ACCESS);
        return pointer;
    }

    /** Unmaps a pointer returned by {@link #open}. */
    public static void close(DeviceContext context, CUdeviceptr opened) {
        context.checkOwner();
        cuIpcCloseMemHandle(opened);
    }

    private static byte[] bytes(CUipcMemHandle handle) {
        try {
            return ((byte[]) RESERVED.get(handle)).clone();
        } catch (IllegalAccessException e) {
            throw new GpuException("CUipcMemHandle.reserved not readable", e);
        }
    }

    private static void set(CUipcMemHandle handle, byte[] bytes) {
        try {
            RESERVED.set(handle, bytes);
        } catch (IllegalAccessException e) {
            throw new GpuException("CUipcMemHandle.reserved not writable", e);
        }
    }
}
