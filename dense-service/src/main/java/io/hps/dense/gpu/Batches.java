package io.hps.dense.gpu;

import io.hps.gpu.GpuException;
import io.hps.model.DlrmArchitecture;
import io.hps.model.workload.Batch;

/** Shape checks of a request batch against a path's model and sizing. */
final class Batches {

    private Batches() {
    }

    /** Throws {@link GpuException} unless {@code batch} fits {@code arch} and {@code maxBatchSize}. */
    static void check(Batch batch, DlrmArchitecture arch, int maxBatchSize) {
        if (batch.batchSize() < 1 || batch.batchSize() > maxBatchSize) {
            throw new GpuException("batch out of range: batch=" + batch.batchSize() + " maxBatchSize=" + maxBatchSize);
        }
        if (batch.tableCount() != arch.tableCount() || batch.denseFeatures() != arch.denseFeatures()) {
            throw new GpuException("batch shape does not match the model: tables=" + batch.tableCount()
                    + " denseFeatures=" + batch.denseFeatures() + " expectedTables=" + arch.tableCount()
                    + " expectedDenseFeatures=" + arch.denseFeatures());
        }
    }
}
