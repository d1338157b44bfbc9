package io.hps.dense.service;

import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuAvailability;
import io.hps.gpu.GpuRuntime;

/**
 * The GPU of the service's GPU instances ({@code dense.gpu.device-index}): one {@link DeviceOwner} for all of them,
 * started when the first one loads, closed on shutdown after the instances. Asks the driver through the probe only
 * ({@link GpuRuntime#availability()}), so a machine without a GPU never initialises the CUDA binding.
 */
final class GpuDevices implements AutoCloseable {
    private final int deviceIndex;
    private volatile boolean started;

    GpuDevices(int deviceIndex) {
        this.deviceIndex = deviceIndex;
    }

    /** The probe's answer, cached for the process. */
    GpuAvailability availability() {
        return GpuRuntime.availability();
    }

    /**
     * The owner of the configured device, started on first call; blocks while starting.
     *
     * @throws IllegalStateException when there is no usable GPU or no device of that index, naming why
     */
    DeviceOwner owner(String instance) {
        GpuAvailability gpu = availability();
        if (!gpu.available()) {
            throw new IllegalStateException("device gpu but no usable GPU: instance=" + instance + " reason="
                    + gpu.reason());
        }
        if (deviceIndex >= gpu.deviceCount()) {
            throw new IllegalStateException("dense.gpu.device-index out of range: instance=" + instance
                    + " deviceIndex=" + deviceIndex + " deviceCount=" + gpu.deviceCount());
        }
        started = true;
        return GpuRuntime.device(deviceIndex);
    }

    /** Stops the device's owner thread; the instances on it are closed before. */
    @Override
    public void close() {
        if (started) {
            GpuRuntime.shutdown();
        }
    }
}
