package io.hps.model.workload;

import java.util.Arrays;

/**
 * One request batch. The arrays belong to the batch; callers may read them, and must not change
 * them while others hold the batch.
 *
 * @param batchSize samples, at least 1
 * @param dense     {@code batchSize x denseFeatures} float32, row-major (sample, then feature)
 * @param keys      {@code batchSize x tables} int64, sample-major (sample, then table)
 */
public record Batch(int batchSize, float[] dense, long[] keys) {

    public Batch {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1: batchSize=" + batchSize);
        }
        if (dense.length % batchSize != 0 || keys.length % batchSize != 0) {
            throw new IllegalArgumentException("array lengths must be multiples of the batch size: batchSize="
                    + batchSize + " dense=" + dense.length + " keys=" + keys.length);
        }
    }

    public int denseFeatures() {
        return dense.length / batchSize;
    }

    public int tableCount() {
        return keys.length / batchSize;
    }

    public float dense(int sample, int feature) {
        return dense[sample * denseFeatures() + feature];
    }

    public long key(int sample, int table) {
        return keys[sample * tableCount() + table];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && b.batchSize == batchSize && Arrays.equals(b.dense, dense)
                && Arrays.equals(b.keys, keys);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * batchSize + Arrays.hashCode(dense)) + Arrays.hashCode(keys);
    }

    @Override
    public String toString() {
        return "Batch[batchSize=" + batchSize + ", denseFeatures=" + denseFeatures() + ", tables=" + tableCount() + "]";
    }
}
