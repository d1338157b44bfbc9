package io.hps.gpu;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Entry point to the CUDA devices of this process.
 *
 * <p>{@link #availability()} probes the driver once per JVM (thread-safe, lazily) and never throws: without a
 * driver it answers {@code unavailable(reason)} every time, and callers fall back to their CPU implementation.
 * {@link #device(int)} starts the device's owner thread on first use; owners live until {@link #shutdown()}.
 */
public final class GpuRuntime {

    private static final ConcurrentMap<Integer, DeviceOwner> OWNERS = new ConcurrentHashMap<>();

    private GpuRuntime() {
    }

    private static final class Probe {
        static final GpuAvailability RESULT = CudaProbe.probe();
    }

    /** The cached probe result. */
    public static GpuAvailability availability() {
        return Probe.RESULT;
    }

    /**
     * The owner of device {@code ordinal}, started (context, stream) on first call. Blocks the caller while
     * starting: call it at start-up, never from an event loop.
     *
     * @throws GpuException if no GPU is available or the ordinal is out of range
     */
    public static DeviceOwner device(int ordinal) {
        GpuAvailability a = availability();
        if (!a.available()) {
            throw new GpuException("GPU unavailable: reason=" + a.reason());
        }
        if (ordinal < 0 || ordinal >= a.deviceCount()) {
            throw new GpuException("device ordinal out of range: ordinal=" + ordinal + " deviceCount=" + a.deviceCount());
        }
        return OWNERS.computeIfAbsent(ordinal, DeviceOwner::start);
    }

    /**
     * Closes every started owner (frees its stream and releases its context). Buffers and models of those devices
     * must have been closed before; a later {@link #device(int)} starts a fresh owner.
     */
    public static void shutdown() {
        OWNERS.values().forEach(DeviceOwner::close);
        OWNERS.clear();
    }
}
