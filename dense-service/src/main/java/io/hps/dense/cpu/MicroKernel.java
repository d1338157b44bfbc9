package io.hps.dense.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner loop of {@link PackedLayer}: {@value #OUTPUTS} outputs by one or two
 * vectors of samples, accumulated over a block of inputs with FMA, bias folded into the first
 * block and ReLU into the store of the last.
 *
 * <p>Activations are feature-major: input {@code k} of sample {@code m} is at
 * {@code x[xOffset + k * stride + m]}, output {@code n} of sample {@code m} at
 * {@code y[yOffset + n * stride + m]}. Weights are one packed panel: the {@value #OUTPUTS}
 * weights of input {@code k} at {@code w[wOffset + k * OUTPUTS .. + OUTPUTS)}.
 * Stateless; any thread.
 */
final class MicroKernel {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Samples per vector. */
    static final int LANES = SPECIES.length();
    /** Outputs per packed panel. */
    static final int OUTPUTS = 6;

    private MicroKernel() {
    }

    /**
     * Six outputs by {@code 2 * LANES} samples.
     *
     * @param first whether this is the first input block (start from the bias instead of {@code y})
     * @param relu  whether to clamp at zero on store (only on the last input block)
     */
    static void twoVectors(float[] x, int xOffset, int stride, int inputs, float[] w, int wOffset,
                           float[] y, int yOffset, float[] bias, int biasOffset, boolean first, boolean relu) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        int y0 = yOffset;
        int y1 = y0 + stride;
        int y2 = y1 + stride;
        int y3 = y2 + stride;
        int y4 = y3 + stride;
        int y5 = y4 + stride;
        if (first) {
            c00 = c01 = FloatVector.broadcast(SPECIES, bias[biasOffset]);
            c10 = c11 = FloatVector.broadcast(SPECIES, bias[biasOffset + 1]);
            c20 = c21 = FloatVector.broadcast(SPECIES, bias[biasOffset + 2]);
            c30 = c31 = FloatVector.broadcast(SPECIES, bias[biasOffset + 3]);
            c40 = c41 = FloatVector.broadcast(SPECIES, bias[biasOffset + 4]);
            c50 = c51 = FloatVector.broadcast(SPECIES, bias[biasOffset + 5]);
        } else {
            c00 = FloatVector.fromArray(SPECIES, y, y0);
            c01 = FloatVector.fromArray(SPECIES, y, y0 + LANES);
            c10 = FloatVector.fromArray(SPECIES, y, y1);
            c11 = FloatVector.fromArray(SPECIES, y, y1 + LANES);
            c20 = FloatVector.fromArray(SPECIES, y, y2);
            c21 = FloatVector.fromArray(SPECIES, y, y2 + LANES);
            c30 = FloatVector.fromArray(SPECIES, y, y3);
            c31 = FloatVector.fromArray(SPECIES, y, y3 + LANES);
            c40 = FloatVector.fromArray(SPECIES, y, y4);
            c41 = FloatVector.fromArray(SPECIES, y, y4 + LANES);
            c50 = FloatVector.fromArray(SPECIES, y, y5);
            c51 = FloatVector.fromArray(SPECIES, y, y5 + LANES);
        }
        int xo = xOffset;
        int wo = wOffset;
        for (int k = 0; k < inputs; k++, xo += stride, wo += OUTPUTS) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, x, xo);
            FloatVector x1 = FloatVector.fromArray(SPECIES, x, xo + LANES);
            FloatVector b = FloatVector.broadcast(SPECIES, w[wo]);
            c00 = x0.fma(b, c00);
            c01 = x1.fma(b, c01);
            b = FloatVector.broadcast(SPECIES, w[wo + 1]);
            c10 = x0.fma(b, c10);
            c11 = x1.fma(b, c11);
            b = FloatVector.broadcast(SPECIES, w[wo + 2]);
            c20 = x0.fma(b, c20);
            c21 = x1.fma(b, c21);
            b = FloatVector.broadcast(SPECIES, w[wo + 3]);
            c30 = x0.fma(b, c30);
            c31 = x1.fma(b, c31);
            b = FloatVector.broadcast(SPECIES, w[wo + 4]);
            c40 = x0.fma(b, c40);
            c41 = x1.fma(b, c41);
            b = FloatVector.broadcast(SPECIES, w[wo + 5]);
            c50 = x0.fma(b, c50);
            c51 = x1.fma(b, c51);
        }
        if (relu) {
            c00 = c00.max(0f);
            c01 = c01.max(0f);
            c10 = c10.max(0f);
            c11 = c11.max(0f);
            c20 = c20.max(0f);
            c21 = c21.max(0f);
            c30 = c30.max(0f);
            c31 = c31.max(0f);
            c40 = c40.max(0f);
            c41 = c41.max(0f);
            c50 = c50.max(0f);
            c51 = c51.max(0f);
        }
        c00.intoArray(y, y0);
        c01.intoArray(y, y0 + LANES);
        c10.intoArray(y, y1);
        c11.intoArray(y, y1 + LANES);
        c20.intoArray(y, y2);
        c21.intoArray(y, y2 + LANES);
        c30.intoArray(y, y3);
        c31.intoArray(y, y3 + LANES);
        c40.intoArray(y, y4);
        c41.intoArray(y, y4 + LANES);
        c50.intoArray(y, y5);
        c51.intoArray(y, y5 + LANES);
    }

    /** Six outputs by {@code LANES} samples: the tail of a chunk whose width is an odd number of vectors. */
    static void oneVector(float[] x, int xOffset, int stride, int inputs, float[] w, int wOffset,
                          float[] y, int yOffset, float[] bias, int biasOffset, boolean first, boolean relu) {
        FloatVector c0, c1, c2, c3, c4, c5;
        int y0 = yOffset;
        int y1 = y0 + stride;
        int y2 = y1 + stride;
        int y3 = y2 + stride;
        int y4 = y3 + stride;
        int y5 = y4 + stride;
        if (first) {
            c0 = FloatVector.broadcast(SPECIES, bias[biasOffset]);
            c1 = FloatVector.broadcast(SPECIES, bias[biasOffset + 1]);
            c2 = FloatVector.broadcast(SPECIES, bias[biasOffset + 2]);
            c3 = FloatVector.broadcast(SPECIES, bias[biasOffset + 3]);
            c4 = FloatVector.broadcast(SPECIES, bias[biasOffset + 4]);
            c5 = FloatVector.broadcast(SPECIES, bias[biasOffset + 5]);
        } else {
            c0 = FloatVector.fromArray(SPECIES, y, y0);
            c1 = FloatVector.fromArray(SPECIES, y, y1);
            c2 = FloatVector.fromArray(SPECIES, y, y2);
            c3 = FloatVector.fromArray(SPECIES, y, y3);
            c4 = FloatVector.fromArray(SPECIES, y, y4);
            c5 = FloatVector.fromArray(SPECIES, y, y5);
        }
        int xo = xOffset;
        int wo = wOffset;
        for (int k = 0; k < inputs; k++, xo += stride, wo += OUTPUTS) {
            FloatVector x0 = FloatVector.fromArray(SPECIES, x, xo);
            c0 = x0.fma(FloatVector.broadcast(SPECIES, w[wo]), c0);
            c1 = x0.fma(FloatVector.broadcast(SPECIES, w[wo + 1]), c1);
            c2 = x0.fma(FloatVector.broadcast(SPECIES, w[wo + 2]), c2);
            c3 = x0.fma(FloatVector.broadcast(SPECIES, w[wo + 3]), c3);
            c4 = x0.fma(FloatVector.broadcast(SPECIES, w[wo + 4]), c4);
            c5 = x0.fma(FloatVector.broadcast(SPECIES, w[wo + 5]), c5);
        }
        if (relu) {
            c0 = c0.max(0f);
            c1 = c1.max(0f);
            c2 = c2.max(0f);
            c3 = c3.max(0f);
            c4 = c4.max(0f);
            c5 = c5.max(0f);
        }
        c0.intoArray(y, y0);
        c1.intoArray(y, y1);
        c2.intoArray(y, y2);
        c3.intoArray(y, y3);
        c4.intoArray(y, y4);
        c5.intoArray(y, y5);
    }
}
