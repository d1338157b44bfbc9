package io.hps.gpu;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * A device's primary context, its stream and its loaded kernel modules, as seen from the owner thread.
 *
 * <p>Threads: every method must be called on the owner thread (inside a {@link DeviceTask}); calls from any
 * other thread throw {@link GpuException}. Work enqueued on {@link #stream()} runs in order.
 */
public final class DeviceContext {

    private final int ordinal;
    private final CUdevice device;
    private final CUcontext context;
    private final CUstream stream;
    private final Thread owner;
    private final String deviceName;
    private final int multiprocessors;
    private final Map<String, KernelModule> modules = new HashMap<>();

    private DeviceContext(int ordinal, CUdevice device, CUcontext context, CUstream stream, String deviceName,
                          int multiprocessors) {
        this.ordinal = ordinal;
        this.device = device;
        this.context = context;
        this.stream = stream;
        this.deviceName = deviceName;
        this.multiprocessors = multiprocessors;
        this.owner = Thread.currentThread();
    }

    /** Retains the primary context of device {@code ordinal}, makes it current and creates a non-blocking stream. */
    static DeviceContext open(int ordinal) {
        CUdevice device = new CUdevice();
        cuDeviceGet(device, ordinal);
        CUcontext context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        CUstream stream = new CUstream();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        int[] sms = new int[1];
        cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device);
        return new DeviceContext(ordinal, device, context, stream, cString(name), sms[0]);
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.US_ASCII);
    }

    public int ordinal() {
        return ordinal;
    }

    public String deviceName() {
        return deviceName;
    }

    public int multiprocessorCount() {
        return multiprocessors;
    }

    /** The device's stream: all kernels and copies of this runtime are enqueued on it. */
    public CUstream stream() {
        checkOwner();
        return stream;
    }

    /** Allocates {@code bytes} of device memory (not initialised). */
    public DeviceBuffer allocate(long bytes) {
        checkOwner();
        return DeviceBuffer.allocate(this, bytes);
    }

    /** Allocates {@code bytes} of page-locked host memory for asynchronous copies. */
    public PinnedBuffer allocatePinned(long bytes) {
        checkOwner();
        return PinnedBuffer.allocate(this, bytes);
    }

    /** The module {@code /io/hps/gpu/kernels/<name>.ptx}, loaded on first use and kept until {@link #close()}. */
    public KernelModule module(String name) {
        checkOwner();
        return modules.computeIfAbsent(name, KernelModule::load);
    }

    /** A pair of CUDA events on this context's stream. */
    public StreamTimer timer() {
        checkOwner();
        return new StreamTimer(this);
    }

    /** Blocks the owner thread until everything enqueued on the stream has finished. */
    public void synchronize() {
        checkOwner();
        cuStreamSynchronize(stream);
    }

    /** Throws unless called on the owner thread. */
    public void checkOwner() {
        if (Thread.currentThread() != owner) {
            throw new GpuException("CUDA call off the owner thread: device=" + ordinal + " thread="
                    + Thread.currentThread().getName() + " owner=" + owner.getName());
        }
    }

    void close() {
        checkOwner();
        cuStreamSynchronize(stream);
        modules.values().forEach(KernelModule::close);
        modules.clear();
        cuStreamDestroy(stream);
        cuDevicePrimaryCtxRelease(device);
    }

    CUcontext context() {
        return context;
    }
}
