package io.hps.dense.gpu;

import io.hps.gpu.dense.GemmPrecision;
import io.hps.gpu.dense.GpuDlrmConfig;

/**
 * Start-up sizing of a GPU path.
 *
 * @param maxBatchSize largest batch, samples; every device and pinned buffer is sized by it
 * @param precision    arithmetic of the dense layers
 */
public record GpuPathConfig(int maxBatchSize, GemmPrecision precision) {

    public GpuPathConfig {
        if (maxBatchSize < 1 || maxBatchSize > GpuDlrmConfig.MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("maxBatchSize must be in [1, " + GpuDlrmConfig.MAX_BATCH_SIZE
                    + "]: maxBatchSize=" + maxBatchSize);
        }
        if (precision == null) {
            throw new IllegalArgumentException("precision must not be null");
        }
    }

    GpuDlrmConfig dlrm() {
        return new GpuDlrmConfig(maxBatchSize, precision);
    }
}
