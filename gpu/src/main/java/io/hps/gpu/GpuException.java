package io.hps.gpu;

/**
 * A broken invariant of the GPU runtime: no usable device, a call from the wrong thread, a kernel
 * contract violated by the caller, a resource missing from the classpath. CUDA errors themselves surface
 * as {@code jcuda.CudaException} (exceptions are enabled on the driver binding).
 */
public final class GpuException extends RuntimeException {

    public GpuException(String message) {
        super(message);
    }

    public GpuException(String message, Throwable cause) {
        super(message, cause);
    }
}
