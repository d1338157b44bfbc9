package io.hps.gpu;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Device-side timing of stream work with two CUDA events: {@link #start()}, enqueue work, {@link #stop()},
 * then {@link #elapsedMillis()} waits for the stop event. Owner thread only.
 */
public final class StreamTimer implements AutoCloseable {

    private final DeviceContext context;
    private final CUevent start = new CUevent();
    private final CUevent stop = new CUevent();

    StreamTimer(DeviceContext context) {
        this.context = context;
        cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT);
        cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT);
    }

    public void start() {
        cuEventRecord(start, context.stream());
    }

    public void stop() {
        cuEventRecord(stop, context.stream());
    }

    /** Milliseconds between the two events on the device, after waiting for the stop event. */
    public float elapsedMillis() {
        cuEventSynchronize(stop);
        float[] ms = new float[1];
        cuEventElapsedTime(ms, start, stop);
        return ms[0];
    }

    @Override
    public void close() {
        cuEventDestroy(start);
        cuEventDestroy(stop);
    }
}
