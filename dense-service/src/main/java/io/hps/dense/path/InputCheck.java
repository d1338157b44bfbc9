package io.hps.dense.path;

import io.hps.model.DlrmArchitecture;
import io.hps.wire.ErrorCode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Validation of a batch before any work is done: every failure is a {@link ScoringException}. */
final class InputCheck {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private InputCheck() {
    }

    /** The checks of an "infer" request to {@code path}: {@link #batch}, {@link #dense} and {@link #keys}. */
    static void infer(ScoringPath path, int batch, MemorySegment dense, MemorySegment keys, float[] out) {
        batch(path.name(), batch, path.maxBatchSize(), out);
        dense(path.name(), path.architecture(), batch, dense);
        keys(path.name(), path.architecture(), batch, keys);
    }

    /** Batch in [1, max] ({@link ErrorCode#TOO_MANY_KEYS} above), {@code out} large enough. */
    static void batch(String model, int batch, int maxBatch, float[] out) {
        if (batch < 1) {
            throw new ScoringException(ErrorCode.BAD_REQUEST, "batch must be >= 1: model=" + model + " batch=" + batch);
        }
        if (batch > maxBatch) {
            throw new ScoringException(ErrorCode.TOO_MANY_KEYS, "batch over the maximum: model=" + model
                    + " batch=" + batch + " maxBatchSize=" + maxBatch);
        }
        if (out.length < batch) {
            throw new ScoringException(ErrorCode.BAD_REQUEST, "out too short: model=" + model + " length="
                    + out.length + " batch=" + batch);
        }
    }

    /** Dense features exactly {@code [batch, denseFeatures]} float32, every one finite. */
    static void dense(String model, DlrmArchitecture a, int batch, MemorySegment dense) {
        long expected = (long) batch * a.denseFeatures() * Float.BYTES;
        if (dense.byteSize() != expected) {
            throw new ScoringException(ErrorCode.BAD_REQUEST, "dense features do not match the model: model="
                    + model + " bytes=" + dense.byteSize() + " expected=" + expected + " batch=" + batch
                    + " denseFeatures=" + a.denseFeatures());
        }
        int features = a.denseFeatures();
        long n = (long) batch * features;
        for (long i = 0; i < n; i++) {
            float v = dense.getAtIndex(F32, i);
            if (!Float.isFinite(v)) {
                throw new ScoringException(ErrorCode.BAD_REQUEST, "dense feature not finite: model=" + model
                        + " sample=" + i / features + " feature=" + i % features + " value=" + v);
            }
        }
    }

    /** Keys exactly {@code [batch, tables]} int64. */
    static void keys(String model, DlrmArchitecture a, int batch, MemorySegment keys) {
        long expected = (long) batch * a.tableCount() * Long.BYTES;
        if (keys.byteSize() != expected) {
            throw new ScoringException(ErrorCode.BAD_REQUEST, "keys do not match the model: model=" + model
                    + " bytes=" + keys.byteSize() + " expected=" + expected + " batch=" + batch
                    + " tables=" + a.tableCount());
        }
    }
}
