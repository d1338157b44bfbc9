package io.hps.dense.cpu;

import static io.hps.dense.cpu.MicroKernel.LANES;
import static io.hps.dense.cpu.MicroKernel.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * DLRM dot interaction for one sample: the pairwise dot products {@code <v_i, v_j>}, {@code i < j},
 * of the {@code vectors} vectors (bottom MLP output first, then one embedding per table), in the
 * order of {@code j} and then {@code i}. Stateless apart from its shape; any thread.
 */
final class DotInteraction {

    private final int dimension;
    private final int vectors;

    DotInteraction(int dimension, int vectors) {
        this.dimension = dimension;
        this.vectors = vectors;
    }

    int pairs() {
        return vectors * (vectors - 1) / 2;
    }

    /**
     * Writes the {@link #pairs()} dot products of one sample into a feature-major activation buffer.
     *
     * @param v      the sample's vectors, {@code vectors x dimension} floats, contiguous; read only
     * @param out    feature-major buffer; dot product {@code p} goes to {@code out[(row + p) * stride + sample]}
     * @param row    first output row
     * @param stride floats per row of {@code out}
     * @param sample column of {@code out}
     */
    void interact(float[] v, float[] out, int row, int stride, int sample) {
        int o = row * stride + sample;
        for (int j = 1; j < vectors; j++) {
            int vj = j * dimension;
            for (int i = 0; i < j; i++, o += stride) {
                out[o] = dot(v, i * dimension, vj);
            }
        }
    }

    private float dot(float[] v, int a, int b) {
        int e = 0;
        float tail = 0f;
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        for (; e + 2 * LANES <= dimension; e += 2 * LANES) {
            acc0 = FloatVector.fromArray(SPECIES, v, a + e).fma(FloatVector.fromArray(SPECIES, v, b + e), acc0);
            acc1 = FloatVector.fromArray(SPECIES, v, a + e + LANES)
                    .fma(FloatVector.fromArray(SPECIES, v, b + e + LANES), acc1);
        }
        for (; e + LANES <= dimension; e += LANES) {
            acc0 = FloatVector.fromArray(SPECIES, v, a + e).fma(FloatVector.fromArray(SPECIES, v, b + e), acc0);
        }
        for (; e < dimension; e++) {
            tail = Math.fma(v[a + e], v[b + e], tail);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) + tail;
    }
}
