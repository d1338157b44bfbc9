package io.hps.gpu;

/**
 * Whether this JVM can use CUDA devices, decided once per process by {@link GpuRuntime#availability()}.
 *
 * @param available     true when the driver loaded, initialised and reported at least one device
 * @param reason        why the GPU is unavailable, or {@code "ok"} when available; never null
 * @param deviceCount   number of CUDA devices, 0 when unavailable
 * @param driverVersion CUDA driver API version as reported by {@code cuDriverGetVersion} (e.g. 13000), 0 if unknown
 */
public record GpuAvailability(boolean available, String reason, int deviceCount, int driverVersion) {

    public GpuAvailability {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("reason must not be blank");
        }
        if (available && deviceCount < 1) {
            throw new IllegalArgumentException("an available GPU needs a device: deviceCount=" + deviceCount);
        }
        if (deviceCount < 0) {
            throw new IllegalArgumentException("deviceCount must be >= 0: deviceCount=" + deviceCount);
        }
    }

    public static GpuAvailability unavailable(String reason) {
        return new GpuAvailability(false, reason, 0, 0);
    }

    public static GpuAvailability available(int deviceCount, int driverVersion) {
        return new GpuAvailability(true, "ok", deviceCount, driverVersion);
    }
}
