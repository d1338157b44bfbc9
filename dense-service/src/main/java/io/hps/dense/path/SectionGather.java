package io.hps.dense.path;

import io.hps.dense.EmbeddingType;
import io.hps.model.DlrmArchitecture;
import io.hps.wire.EmbeddingLayout;
import io.hps.wire.EmbeddingSection;
import io.hps.wire.ErrorCode;
import io.hps.wire.VectorDtype;
import io.hps.wire.VectorStorage;
import io.netty.buffer.ByteBuf;
import java.lang.foreign.MemorySegment;

/**
 * Turns the inline vectors of an {@link EmbeddingSection} into the network's sample-major input,
 * reading the frame in place: the vectors are viewed as a {@link MemorySegment} over the frame's
 * memory (no copy of the frame). A SAMPLE_MAJOR section is the network's input as it is; for
 * TABLE_MAJOR and UNIQUE each key's row (through the inverse index for UNIQUE) is copied once, in
 * its wire dtype, to its place in the workspace, which the network widens to float32 as it reads.
 */
final class SectionGather {
    private SectionGather() {
    }

    static EmbeddingType type(VectorDtype dtype) {
        return switch (dtype) {
            case F32 -> EmbeddingType.FLOAT32;
            case F16 -> EmbeddingType.FLOAT16;
            case BF16 -> EmbeddingType.BFLOAT16;
        };
    }

    /**
     * Checks the section against the model and returns the sample-major embeddings: the frame's
     * vectors, or {@code scratch} after the gather. Valid while the frame is retained.
     */
    static MemorySegment sampleMajor(String model, DlrmArchitecture a, int batch, EmbeddingSection s,
                                     MemorySegment scratch) {
        check(model, a, batch, s);
        if (s.layout() == EmbeddingLayout.SAMPLE_MAJOR) {
            return view(s.vectorsSlice());
        }
        gather(a, batch, s, scratch, 0);
        return scratch.asSlice(0, (long) batch * a.tableCount() * a.embeddingDimension() * s.dtype().bytes());
    }

    /**
     * Checks a TABLE_MAJOR or UNIQUE section of {@code batch} keys per table and copies each key's
     * row to sample {@code firstSample + b} of the sample-major {@code scratch}, in the section's dtype.
     */
    static void gatherInto(String model, DlrmArchitecture a, int batch, EmbeddingSection s, MemorySegment scratch,
                           int firstSample) {
        check(model, a, batch, s);
        if (s.layout() == EmbeddingLayout.SAMPLE_MAJOR) {
            throw new ScoringException(ErrorCode.INTERNAL, "unexpected SAMPLE_MAJOR lookup response: model=" + model);
        }
        gather(a, batch, s, scratch, firstSample);
    }

    private static void gather(DlrmArchitecture a, int batch, EmbeddingSection s, MemorySegment scratch,
                               int firstSample) {
        MemorySegment vectors = view(s.vectorsSlice());
        int tables = a.tableCount();
        long row = (long) a.embeddingDimension() * s.dtype().bytes();
        boolean unique = s.layout() == EmbeddingLayout.UNIQUE;
        for (int t = 0; t < tables; t++) {
            long base = s.vectorOffset(t, 0);
            for (int b = 0; b < batch; b++) {
                long src = base + (unique ? s.inverseIndex(t, b) : b) * row;
                MemorySegment.copy(vectors, src, scratch, ((long) (firstSample + b) * tables + t) * row, row);
            }
        }
    }

    /** The slice's memory as a segment: a view when it is one buffer, else merged once by Netty. */
    private static MemorySegment view(ByteBuf slice) {
        return MemorySegment.ofBuffer(slice.nioBuffer());
    }

    private static void check(String model, DlrmArchitecture a, int batch, EmbeddingSection s) {
        if (s.storage() != VectorStorage.INLINE) {
            throw new ScoringException(ErrorCode.BAD_REQUEST, "only inline vectors are supported: model=" + model
                    + " storage=" + s.storage());
        }
        if (s.tableCount() != a.tableCount()) {
            throw new ScoringException(ErrorCode.BAD_REQUEST, "embedding tables do not match the model: model="
                    + model + " tables=" + s.tableCount() + " expected=" + a.tableCount());
        }
        for (int t = 0; t < s.tableCount(); t++) {
            if (s.dim(t) != a.embeddingDimension() || s.keyCount(t) != batch) {
                throw new ScoringException(ErrorCode.BAD_REQUEST, "embedding table shape does not match: model="
                        + model + " table=" + t + " dim=" + s.dim(t) + " keys=" + s.keyCount(t) + " expectedDim="
                        + a.embeddingDimension() + " batch=" + batch);
            }
        }
    }
}
