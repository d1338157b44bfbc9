package io.hps.gpu.dense;

/**
 * Start-up sizing of a {@link GpuDlrm}.
 *
 * @param maxBatchSize largest batch one forward accepts, samples; every device and pinned buffer is sized by it
 * @param precision    arithmetic of the dense layers
 */
public record GpuDlrmConfig(int maxBatchSize, GemmPrecision precision) {

    /** Largest batch the launch geometry supports (grid rows of 64-sample tiles). */
    public static final int MAX_BATCH_SIZE = 65535 * 64;

    public GpuDlrmConfig {
        if (maxBatchSize < 1 || maxBatchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("maxBatchSize must be in [1, " + MAX_BATCH_SIZE + "]: maxBatchSize="
                    + maxBatchSize);
        }
        if (precision == null) {
            throw new IllegalArgumentException("precision must not be null");
        }
    }
}
