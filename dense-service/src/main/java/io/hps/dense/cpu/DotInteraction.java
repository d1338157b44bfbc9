package io.hps.dense.cpu;

import static io.hps.dense.cpu.MicroKernel.LANES;
import static io.hps.dense.cpu.MicroKernel.SPECIES;

import jdk.incubator.vector.FloatVector;

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
     * @param out    feature-major buffer at {@code base}; dot product {@code p} goes to
     *               {@code out[base + (row + p) * stride + sample]}
     * @param base   index of the buffer's first row in {@code out}
     * @param row    first output row
     * @param stride floats per row of {@code out}
     * @param sample column of {@code out}
     */
    void interact(float[] v, float[] out, int base, int row, int stride, int sample) {
        int o = base + row * stride + sample;
        for (int j = 1; j < vectors; j++) {
            int vj = j * dimension;
            int i = 0;
            for (; i + 4 <= j; i += 4, o += 4 * stride) {
                fourDots(v, i * dimension, vj, out, o, stride);
            }
            for (; i < j; i++, o += stride) {
                out[o] = dot(v, i * dimension, vj);
            }
        }
    }

    /** Dot products of the four vectors from {@code a} on with the one at {@code b}, loading that one once. */
    private void fourDots(float[] v, int a, int b, float[] out, int o, int stride) {
        FloatVector s0 = FloatVector.zero(SPECIES);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int d = dimension;
        int e = 0;
        for (; e + LANES <= d; e += LANES) {
            FloatVector y = FloatVector.fromArray(SPECIES, v, b + e);
            s0 = FloatVector.fromArray(SPECIES, v, a + e).fma(y, s0);
            s1 = FloatVector.fromArray(SPECIES, v, a + d + e).fma(y, s1);
            s2 = FloatVector.fromArray(SPECIES, v, a + 2 * d + e).fma(y, s2);
            s3 = FloatVector.fromArray(SPECIES, v, a + 3 * d + e).fma(y, s3);
        }
        float t0 = sum(s0);
        float t1 = sum(s1);
        float t2 = sum(s2);
        float t3 = sum(s3);
        for (; e < d; e++) {
            float y = v[b + e];
            t0 = Math.fma(v[a + e], y, t0);
            t1 = Math.fma(v[a + d + e], y, t1);
            t2 = Math.fma(v[a + 2 * d + e], y, t2);
            t3 = Math.fma(v[a + 3 * d + e], y, t3);
        }
        out[o] = t0;
        out[o + stride] = t1;
        out[o + 2 * stride] = t2;
        out[o + 3 * stride] = t3;
    }

    /**
     * The lanes' sum, added in lane order. {@code reduceLanes} leaves the order open, and the
     * interpreter and the compiled code then differ in the last bit; a fixed order makes every
     * forward (whole or split, before or after JIT compilation) bit-for-bit repeatable.
     */
    private static float sum(FloatVector s) {
        float t = 0;
        for (int l = 0; l < LANES; l++) {
            t += s.lane(l);
        }
        return t;
    }

    private float dot(float[] v, int a, int b) {
        FloatVector s = FloatVector.zero(SPECIES);
        int e = 0;
        for (; e + LANES <= dimension; e += LANES) {
            s = FloatVector.fromArray(SPECIES, v, a + e).fma(FloatVector.fromArray(SPECIES, v, b + e), s);
        }
        float t = sum(s);
        for (; e < dimension; e++) {
            t = Math.fma(v[a + e], v[b + e], t);
        }
        return t;
    }
}
