package io.hps.gpu;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import jcuda.driver.JCudaDriver;

/**
 * Decides whether CUDA is usable without ever leaving a JCuda class half-initialised.
 *
 * <p>JCuda's {@code JCudaDriver} loads its JNI library from a static initialiser; that library links
 * {@code libcuda.so.1}. Without a driver the first use throws {@code UnsatisfiedLinkError} and every later
 * use {@code NoClassDefFoundError: Could not initialize class jcuda.driver.JCudaDriver}: the class is
 * poisoned for the life of the class loader. So the probe first talks to {@code libcuda.so.1} directly
 * through the FFM API ({@code dlopen}, {@code cuInit}, {@code cuDriverGetVersion}, {@code cuDeviceGetCount})
 * and touches JCuda only when the driver answered with at least one device.
 */
final class CudaProbe {

    static final String DRIVER_LIBRARY = "libcuda.so.1";

    private CudaProbe() {
    }

    /** Probes the driver; never throws. Callers cache the answer (see {@link GpuRuntime#availability()}). */
    static GpuAvailability probe() {
        try {
            GpuAvailability driver = probeDriver();
            return driver.available() ? initialiseBinding(driver) : driver;
        } catch (Throwable t) {
            return GpuAvailability.unavailable("CUDA probe failed: " + t);
        }
    }

    private static GpuAvailability probeDriver() throws Throwable {
        SymbolLookup cuda;
        try {
            cuda = SymbolLookup.libraryLookup(DRIVER_LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            return GpuAvailability.unavailable("CUDA driver library not found: library=" + DRIVER_LIBRARY);
        }
        Linker linker = Linker.nativeLinker();
        MethodHandle init = linker.downcallHandle(cuda.findOrThrow("cuInit"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        FunctionDescriptor intOut = FunctionDescriptor.of(JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS);
        MethodHandle version = linker.downcallHandle(cuda.findOrThrow("cuDriverGetVersion"), intOut);
        MethodHandle count = linker.downcallHandle(cuda.findOrThrow("cuDeviceGetCount"), intOut);
        int rc = (int) init.invokeExact(0);
        if (rc != 0) {
            return GpuAvailability.unavailable("cuInit failed: result=" + rc);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            rc = (int) version.invokeExact(out);
            int driverVersion = rc == 0 ? out.get(JAVA_INT, 0) : 0;
            rc = (int) count.invokeExact(out);
            if (rc != 0) {
                return GpuAvailability.unavailable("cuDeviceGetCount failed: result=" + rc);
            }
            int devices = out.get(JAVA_INT, 0);
            if (devices < 1) {
                return GpuAvailability.unavailable("no CUDA device: deviceCount=" + devices);
            }
            return GpuAvailability.available(devices, driverVersion);
        }
    }

    private static GpuAvailability initialiseBinding(GpuAvailability driver) {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            JCudaDriver.cuInit(0);
            return driver;
        } catch (Throwable t) {
            return GpuAvailability.unavailable("JCuda driver binding failed to load: " + t);
        }
    }
}
