package io.hps.dense.gpu;

import io.hps.model.workload.Batch;
import java.util.concurrent.CompletableFuture;

/**
 * One way of serving DLRM scores on a GPU, from keys and dense features on the host to scores on the host.
 *
 * <p>Threads: {@link #score} may be called from any thread and returns at once; the batch's arrays are read before
 * the future completes and not retained. Requests run one after another on the device's owner thread.
 */
public interface GpuPath extends AutoCloseable {

    /** Scores of {@code batch}, one per sample, in sample order. */
    CompletableFuture<float[]> score(Batch batch);

    /** Frees the path's device and host buffers; waits for work in flight. */
    @Override
    void close();
}
