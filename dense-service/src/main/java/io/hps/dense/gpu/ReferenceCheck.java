package io.hps.dense.gpu;

import io.hps.gpu.table.RowSource;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.reference.ReferenceDlrm;
import io.hps.model.workload.Batch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scores of a batch by {@link ReferenceDlrm} (float64) with its embeddings read from a {@link RowSource} on the
 * host, and the relative norm error {@code ||actual - expected|| / ||expected||} of a GPU path's scores. Unknown
 * keys (beyond a table's rows) get the zero vector, as on the device.
 */
public final class ReferenceCheck {

    private final DlrmArchitecture arch;
    private final double[] expected;

    private ReferenceCheck(DlrmArchitecture arch, double[] expected) {
        this.arch = arch;
        this.expected = expected;
    }

    /** Computes the reference scores of {@code batch}. */
    public static ReferenceCheck of(DlrmWeights weights, RowSource rows, Batch batch) {
        DlrmArchitecture arch = weights.architecture();
        int tables = arch.tableCount();
        int dim = arch.embeddingDimension();
        float[] embeddings = new float[batch.batchSize() * tables * dim];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment row = arena.allocate((long) dim * Float.BYTES, 64);
            for (int s = 0; s < batch.batchSize(); s++) {
                for (int t = 0; t < tables; t++) {
                    long key = batch.key(s, t);
                    if (key >= 0 && key < arch.tables().get(t).rows()) {
                        rows.read(t, key, 1, row);
                        MemorySegment.copy(row, ValueLayout.JAVA_FLOAT, 0, embeddings, (s * tables + t) * dim, dim);
                    }
                }
            }
        }
        return new ReferenceCheck(arch, new ReferenceDlrm(weights).forward(batch.batchSize(), batch.dense(),
                embeddings));
    }

    /** Relative norm error of {@code actual} against the reference scores. */
    public double relativeError(float[] actual) {
        return relativeError(actual, expected);
    }

    /** Relative norm error {@code ||actual - expected|| / ||expected||} of scores against expected ones. */
    public static double relativeError(float[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("score count mismatch: actual=" + actual.length + " expected="
                    + expected.length);
        }
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = actual[i] - expected[i];
            diff += d * d;
            norm += expected[i] * expected[i];
        }
        return Math.sqrt(diff / norm);
    }

    /** As {@link #relativeError(float[], double[])}, against float32 scores (another path's). */
    public static double relativeError(float[] actual, float[] expected) {
        double[] wide = new double[expected.length];
        for (int i = 0; i < expected.length; i++) {
            wide[i] = expected[i];
        }
        return relativeError(actual, wide);
    }

    DlrmArchitecture architecture() {
        return arch;
    }
}
