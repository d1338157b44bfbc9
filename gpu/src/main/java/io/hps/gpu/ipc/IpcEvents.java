package io.hps.gpu.ipc;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuIpcGetEventHandle;
import static jcuda.driver.JCudaDriver.cuIpcOpenEventHandle;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import io.hps.gpu.DeviceContext;
import io.hps.gpu.GpuException;
import java.lang.reflect.Field;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUipcEventHandle;

/**
 * CUDA events shared between processes on one host, so that one process's stream waits on the device for work
 * another process enqueued, without a host round trip: the producer {@link #create}s an interprocess event, sends
 * its 64 {@link #export}ed bytes once, and {@link #record}s it after its work; the consumer {@link #open}s the bytes
 * once and, after it learnt (from a message sent after the record) that the producer recorded, calls
 * {@link #waitOn}, which makes its stream wait for the producer's most recent record without blocking the host.
 *
 * <p>JCuda keeps the handle bytes in the private field {@code CUipcEventHandle.reserved}, reached by reflection.
 * Threads: owner thread of the context only.
 */
public final class IpcEvents {

    /** Bytes of a {@code CUipcEventHandle}. */
    public static final int HANDLE_BYTES = 64;

    private static final Field RESERVED = reservedField();

    private IpcEvents() {
    }

    private static Field reservedField() {
        try {
            Field f = CUipcEventHandle.class.getDeclaredField("reserved");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException e) {
            throw new GpuException("CUipcEventHandle.reserved not reachable: jcuda=" + CUipcEventHandle.class, e);
        }
    }

    /** A new interprocess event (no timing); the caller destroys it with {@link #destroy}. */
    public static CUevent create(DeviceContext context) {
        context.checkOwner();
        CUevent event = new CUevent();
        cuEventCreate(event, CUevent_flags.CU_EVENT_INTERPROCESS | CUevent_flags.CU_EVENT_DISABLE_TIMING);
        return event;
    }

    /** The 64 bytes naming {@code event} in other processes; valid while the event lives. */
    public static byte[] export(DeviceContext context, CUevent event) {
        context.checkOwner();
        CUipcEventHandle handle = new CUipcEventHandle();
        cuIpcGetEventHandle(handle, event);
        try {
            return ((byte[]) RESERVED.get(handle)).clone();
        } catch (IllegalAccessException e) {
            throw new GpuException("CUipcEventHandle.reserved not readable", e);
        }
    }

    /**
     * The event another process exported as {@code handleBytes}; destroy it with {@link #destroy} when done.
     *
     * @throws GpuException if {@code handleBytes} is not 64 bytes long
     */
    public static CUevent open(DeviceContext context, byte[] handleBytes) {
        context.checkOwner();
        if (handleBytes.length != HANDLE_BYTES) {
            throw new GpuException("CUDA IPC event handle must have 64 bytes: bytes=" + handleBytes.length);
        }
        CUipcEventHandle handle = new CUipcEventHandle();
        try {
            RESERVED.set(handle, handleBytes.clone());
        } catch (IllegalAccessException e) {
            throw new GpuException("CUipcEventHandle.reserved not writable", e);
        }
        CUevent event = new CUevent();
        cuIpcOpenEventHandle(event, handle);
        return event;
    }

    /** Records {@code event} on the context's stream: it fires when the work enqueued so far has finished. */
    public static void record(DeviceContext context, CUevent event) {
        cuEventRecord(event, context.stream());
    }

    /** Makes the context's stream wait, on the device, for the most recent record of {@code event}. */
    public static void waitOn(DeviceContext context, CUevent event) {
        cuStreamWaitEvent(context.stream(), event, 0);
    }

    /** Destroys a created or opened event. */
    public static void destroy(DeviceContext context, CUevent event) {
        context.checkOwner();
        cuEventDestroy(event);
    }
}
