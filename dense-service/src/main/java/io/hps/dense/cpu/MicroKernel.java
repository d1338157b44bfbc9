package io.hps.dense.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked inner loop of {@link PackedLayer}: {@value #OUTPUTS} outputs by one to three
 * vectors of samples, accumulated over a block of inputs with FMA, the bias folded into the first
 * block and ReLU into the store of the last. Eight outputs by three vectors keep 24 accumulators
 * in registers (of 32 with AVX-512) and load 3 + 8 values per 24 FMAs.
 *
 * <p>Activations are feature-major: input {@code k} of sample {@code m} is at
 * {@code x[xOffset + k * STRIDE + m]}, output {@code n} of sample {@code m} at
 * {@code y[yOffset + n * STRIDE + m]}. Weights are one packed panel: the {@value #OUTPUTS}
 * weights of input {@code k} at {@code w[wOffset + k * OUTPUTS .. + OUTPUTS)}.
 * The kernels are spelled out, one local per accumulator and no helper calls, so that no vector
 * leaves a register (a vector passed to a method the JIT does not inline is boxed).
 * Stateless; any thread.
 */
final class MicroKernel {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Samples per vector. */
    static final int LANES = SPECIES.length();
    /** Outputs per packed panel. */
    static final int OUTPUTS = 8;
    /** Most vectors of samples one kernel call covers. */
    static final int MAX_VECTORS = 3;
    /**
     * Samples per chunk: three blocks of three vectors, whose activations stay in L2 while the
     * weights stream past.
     */
    static final int CHUNK_SAMPLES = 3 * MAX_VECTORS * LANES;
    /**
     * Floats per feature row of an activation buffer: one vector more than a chunk, so that
     * consecutive rows do not map to the same L1 sets. A constant, so that index arithmetic in the
     * inner loop has a constant scale.
     */
    static final int STRIDE = CHUNK_SAMPLES + LANES;

    private MicroKernel() {
    }

    /**
     * Eight outputs by {@code 3 * LANES} samples.
     *
     * @param first whether this is the first input block: start from the bias, else from {@code y}
     * @param relu  whether to clamp at zero on store (only on the last input block)
     */
    static void threeVectors(float[] x, int xOffset, int inputs, float[] w, int wOffset,
            float[] y, int yOffset, float[] bias, int biasOffset, boolean first, boolean relu) {
        FloatVector c00, c01, c02;
        FloatVector c10, c11, c12;
        FloatVector c20, c21, c22;
        FloatVector c30, c31, c32;
        FloatVector c40, c41, c42;
        FloatVector c50, c51, c52;
        FloatVector c60, c61, c62;
        FloatVector c70, c71, c72;
        if (first) {
            c00 = c01 = c02 = FloatVector.broadcast(SPECIES, bias[biasOffset]);
            c10 = c11 = c12 = FloatVector.broadcast(SPECIES, bias[biasOffset + 1]);
            c20 = c21 = c22 = FloatVector.broadcast(SPECIES, bias[biasOffset + 2]);
            c30 = c31 = c32 = FloatVector.broadcast(SPECIES, bias[biasOffset + 3]);
            c40 = c41 = c42 = FloatVector.broadcast(SPECIES, bias[biasOffset + 4]);
            c50 = c51 = c52 = FloatVector.broadcast(SPECIES, bias[biasOffset + 5]);
            c60 = c61 = c62 = FloatVector.broadcast(SPECIES, bias[biasOffset + 6]);
            c70 = c71 = c72 = FloatVector.broadcast(SPECIES, bias[biasOffset + 7]);
        } else {
            c00 = FloatVector.fromArray(SPECIES, y, yOffset);
            c01 = FloatVector.fromArray(SPECIES, y, yOffset + LANES);
            c02 = FloatVector.fromArray(SPECIES, y, yOffset + 2 * LANES);
            c10 = FloatVector.fromArray(SPECIES, y, yOffset + STRIDE);
            c11 = FloatVector.fromArray(SPECIES, y, yOffset + STRIDE + LANES);
            c12 = FloatVector.fromArray(SPECIES, y, yOffset + STRIDE + 2 * LANES);
            c20 = FloatVector.fromArray(SPECIES, y, yOffset + 2 * STRIDE);
            c21 = FloatVector.fromArray(SPECIES, y, yOffset + 2 * STRIDE + LANES);
            c22 = FloatVector.fromArray(SPECIES, y, yOffset + 2 * STRIDE + 2 * LANES);
            c30 = FloatVector.fromArray(SPECIES, y, yOffset + 3 * STRIDE);
            c31 = FloatVector.fromArray(SPECIES, y, yOffset + 3 * STRIDE + LANES);
            c32 = FloatVector.fromArray(SPECIES, y, yOffset + 3 * STRIDE + 2 * LANES);
            c40 = FloatVector.fromArray(SPECIES, y, yOffset + 4 * STRIDE);
            c41 = FloatVector.fromArray(SPECIES, y, yOffset + 4 * STRIDE + LANES);
            c42 = FloatVector.fromArray(SPECIES, y, yOffset + 4 * STRIDE + 2 * LANES);
            c50 = FloatVector.fromArray(SPECIES, y, yOffset + 5 * STRIDE);
            c51 = FloatVector.fromArray(SPECIES, y, yOffset + 5 * STRIDE + LANES);
            c52 = FloatVector.fromArray(SPECIES, y, yOffset + 5 * STRIDE + 2 * LANES);
            c60 = FloatVector.fromArray(SPECIES, y, yOffset + 6 * STRIDE);
            c61 = FloatVector.fromArray(SPECIES, y, yOffset + 6 * STRIDE + LANES);
            c62 = FloatVector.fromArray(SPECIES, y, yOffset + 6 * STRIDE + 2 * LANES);
            c70 = FloatVector.fromArray(SPECIES, y, yOffset + 7 * STRIDE);
            c71 = FloatVector.fromArray(SPECIES, y, yOffset + 7 * STRIDE + LANES);
            c72 = FloatVector.fromArray(SPECIES, y, yOffset + 7 * STRIDE + 2 * LANES);
        }
        for (int k = 0; k < inputs; k++) {
            int xo = xOffset + k * STRIDE;
            int wo = wOffset + k * OUTPUTS;
            FloatVector x0 = FloatVector.fromArray(SPECIES, x, xo);
            FloatVector x1 = FloatVector.fromArray(SPECIES, x, xo + LANES);
            FloatVector x2 = FloatVector.fromArray(SPECIES, x, xo + 2 * LANES);
            FloatVector b;
            b = FloatVector.broadcast(SPECIES, w[wo]);
            c00 = x0.fma(b, c00);
            c01 = x1.fma(b, c01);
            c02 = x2.fma(b, c02);
            b = FloatVector.broadcast(SPECIES, w[wo + 1]);
            c10 = x0.fma(b, c10);
            c11 = x1.fma(b, c11);
            c12 = x2.fma(b, c12);
            b = FloatVector.broadcast(SPECIES, w[wo + 2]);
            c20 = x0.fma(b, c20);
            c21 = x1.fma(b, c21);
            c22 = x2.fma(b, c22);
            b = FloatVector.broadcast(SPECIES, w[wo + 3]);
            c30 = x0.fma(b, c30);
            c31 = x1.fma(b, c31);
            c32 = x2.fma(b, c32);
            b = FloatVector.broadcast(SPECIES, w[wo + 4]);
            c40 = x0.fma(b, c40);
            c41 = x1.fma(b, c41);
            c42 = x2.fma(b, c42);
            b = FloatVector.broadcast(SPECIES, w[wo + 5]);
            c50 = x0.fma(b, c50);
            c51 = x1.fma(b, c51);
            c52 = x2.fma(b, c52);
            b = FloatVector.broadcast(SPECIES, w[wo + 6]);
            c60 = x0.fma(b, c60);
            c61 = x1.fma(b, c61);
            c62 = x2.fma(b, c62);
            b = FloatVector.broadcast(SPECIES, w[wo + 7]);
            c70 = x0.fma(b, c70);
            c71 = x1.fma(b, c71);
            c72 = x2.fma(b, c72);
        }
        if (relu) {
            c00 = c00.max(0f);
            c01 = c01.max(0f);
            c02 = c02.max(0f);
            c10 = c10.max(0f);
            c11 = c11.max(0f);
            c12 = c12.max(0f);
            c20 = c20.max(0f);
            c21 = c21.max(0f);
            c22 = c22.max(0f);
            c30 = c30.max(0f);
            c31 = c31.max(0f);
            c32 = c32.max(0f);
            c40 = c40.max(0f);
            c41 = c41.max(0f);
            c42 = c42.max(0f);
            c50 = c50.max(0f);
            c51 = c51.max(0f);
            c52 = c52.max(0f);
            c60 = c60.max(0f);
            c61 = c61.max(0f);
            c62 = c62.max(0f);
            c70 = c70.max(0f);
            c71 = c71.max(0f);
            c72 = c72.max(0f);
        }
        c00.intoArray(y, yOffset);
        c01.intoArray(y, yOffset + LANES);
        c02.intoArray(y, yOffset + 2 * LANES);
        c10.intoArray(y, yOffset + STRIDE);
        c11.intoArray(y, yOffset + STRIDE + LANES);
        c12.intoArray(y, yOffset + STRIDE + 2 * LANES);
        c20.intoArray(y, yOffset + 2 * STRIDE);
        c21.intoArray(y, yOffset + 2 * STRIDE + LANES);
        c22.intoArray(y, yOffset + 2 * STRIDE + 2 * LANES);
        c30.intoArray(y, yOffset + 3 * STRIDE);
        c31.intoArray(y, yOffset + 3 * STRIDE + LANES);
        c32.intoArray(y, yOffset + 3 * STRIDE + 2 * LANES);
        c40.intoArray(y, yOffset + 4 * STRIDE);
        c41.intoArray(y, yOffset + 4 * STRIDE + LANES);
        c42.intoArray(y, yOffset + 4 * STRIDE + 2 * LANES);
        c50.intoArray(y, yOffset + 5 * STRIDE);
        c51.intoArray(y, yOffset + 5 * STRIDE + LANES);
        c52.intoArray(y, yOffset + 5 * STRIDE + 2 * LANES);
        c60.intoArray(y, yOffset + 6 * STRIDE);
        c61.intoArray(y, yOffset + 6 * STRIDE + LANES);
        c62.intoArray(y, yOffset + 6 * STRIDE + 2 * LANES);
        c70.intoArray(y, yOffset + 7 * STRIDE);
        c71.intoArray(y, yOffset + 7 * STRIDE + LANES);
        c72.intoArray(y, yOffset + 7 * STRIDE + 2 * LANES);
    }

    /** Eight outputs by {@code 2 * LANES} samples, for the tail of a chunk. */
    static void twoVectors(float[] x, int xOffset, int inputs, float[] w, int wOffset,
            float[] y, int yOffset, float[] bias, int biasOffset, boolean first, boolean relu) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        FloatVector c40, c41;
        FloatVector c50, c51;
        FloatVector c60, c61;
        FloatVector c70, c71;
        if (first) {
            c00 = c01 = FloatVector.broadcast(SPECIES, bias[biasOffset]);
            c10 = c11 = FloatVector.broadcast(SPECIES, bias[biasOffset + 1]);
            c20 = c21 = FloatVector.broadcast(SPECIES, bias[biasOffset + 2]);
            c30 = c31 = FloatVector.broadcast(SPECIES, bias[biasOffset + 3]);
            c40 = c41 = FloatVector.broadcast(SPECIES, bias[biasOffset + 4]);
            c50 = c51 = FloatVector.broadcast(SPECIES, bias[biasOffset + 5]);
            c60 = c61 = FloatVector.broadcast(SPECIES, bias[biasOffset + 6]);
            c70 = c71 = FloatVector.broadcast(SPECIES, bias[biasOffset + 7]);
        } else {
            c00 = FloatVector.fromArray(SPECIES, y, yOffset);
            c01 = FloatVector.fromArray(SPECIES, y, yOffset + LANES);
            c10 = FloatVector.fromArray(SPECIES, y, yOffset + STRIDE);
            c11 = FloatVector.fromArray(SPECIES, y, yOffset + STRIDE + LANES);
            c20 = FloatVector.fromArray(SPECIES, y, yOffset + 2 * STRIDE);
            c21 = FloatVector.fromArray(SPECIES, y, yOffset + 2 * STRIDE + LANES);
            c30 = FloatVector.fromArray(SPECIES, y, yOffset + 3 * STRIDE);
            c31 = FloatVector.fromArray(SPECIES, y, yOffset + 3 * STRIDE + LANES);
            c40 = FloatVector.fromArray(SPECIES, y, yOffset + 4 * STRIDE);
            c41 = FloatVector.fromArray(SPECIES, y, yOffset + 4 * STRIDE + LANES);
            c50 = FloatVector.fromArray(SPECIES, y, yOffset + 5 * STRIDE);
            c51 = FloatVector.fromArray(SPECIES, y, yOffset + 5 * STRIDE + LANES);
            c60 = FloatVector.fromArray(SPECIES, y, yOffset + 6 * STRIDE);
            c61 = FloatVector.fromArray(SPECIES, y, yOffset + 6 * STRIDE + LANES);
            c70 = FloatVector.fromArray(SPECIES, y, yOffset + 7 * STRIDE);
            c71 = FloatVector.fromArray(SPECIES, y, yOffset + 7 * STRIDE + LANES);
        }
        for (int k = 0; k < inputs; k++) {
            int xo = xOffset + k * STRIDE;
            int wo = wOffset + k * OUTPUTS;
            FloatVector x0 = FloatVector.fromArray(SPECIES, x, xo);
            FloatVector x1 = FloatVector.fromArray(SPECIES, x, xo + LANES);
            FloatVector b;
            b = FloatVector.broadcast(SPECIES, w[wo]);
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
            b = FloatVector.broadcast(SPECIES, w[wo + 6]);
            c60 = x0.fma(b, c60);
            c61 = x1.fma(b, c61);
            b = FloatVector.broadcast(SPECIES, w[wo + 7]);
            c70 = x0.fma(b, c70);
            c71 = x1.fma(b, c71);
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
            c60 = c60.max(0f);
            c61 = c61.max(0f);
            c70 = c70.max(0f);
            c71 = c71.max(0f);
        }
        c00.intoArray(y, yOffset);
        c01.intoArray(y, yOffset + LANES);
        c10.intoArray(y, yOffset + STRIDE);
        c11.intoArray(y, yOffset + STRIDE + LANES);
        c20.intoArray(y, yOffset + 2 * STRIDE);
        c21.intoArray(y, yOffset + 2 * STRIDE + LANES);
        c30.intoArray(y, yOffset + 3 * STRIDE);
        c31.intoArray(y, yOffset + 3 * STRIDE + LANES);
        c40.intoArray(y, yOffset + 4 * STRIDE);
        c41.intoArray(y, yOffset + 4 * STRIDE + LANES);
        c50.intoArray(y, yOffset + 5 * STRIDE);
        c51.intoArray(y, yOffset + 5 * STRIDE + LANES);
        c60.intoArray(y, yOffset + 6 * STRIDE);
        c61.intoArray(y, yOffset + 6 * STRIDE + LANES);
        c70.intoArray(y, yOffset + 7 * STRIDE);
        c71.intoArray(y, yOffset + 7 * STRIDE + LANES);
    }

    /** Eight outputs by {@code LANES} samples, for the tail of a chunk. */
    static void oneVector(float[] x, int xOffset, int inputs, float[] w, int wOffset,
            float[] y, int yOffset, float[] bias, int biasOffset, boolean first, boolean relu) {
        FloatVector c00;
        FloatVector c10;
        FloatVector c20;
        FloatVector c30;
        FloatVector c40;
        FloatVector c50;
        FloatVector c60;
        FloatVector c70;
        if (first) {
            c00 = FloatVector.broadcast(SPECIES, bias[biasOffset]);
            c10 = FloatVector.broadcast(SPECIES, bias[biasOffset + 1]);
            c20 = FloatVector.broadcast(SPECIES, bias[biasOffset + 2]);
            c30 = FloatVector.broadcast(SPECIES, bias[biasOffset + 3]);
            c40 = FloatVector.broadcast(SPECIES, bias[biasOffset + 4]);
            c50 = FloatVector.broadcast(SPECIES, bias[biasOffset + 5]);
            c60 = FloatVector.broadcast(SPECIES, bias[biasOffset + 6]);
            c70 = FloatVector.broadcast(SPECIES, bias[biasOffset + 7]);
        } else {
            c00 = FloatVector.fromArray(SPECIES, y, yOffset);
            c10 = FloatVector.fromArray(SPECIES, y, yOffset + STRIDE);
            c20 = FloatVector.fromArray(SPECIES, y, yOffset + 2 * STRIDE);
            c30 = FloatVector.fromArray(SPECIES, y, yOffset + 3 * STRIDE);
            c40 = FloatVector.fromArray(SPECIES, y, yOffset + 4 * STRIDE);
            c50 = FloatVector.fromArray(SPECIES, y, yOffset + 5 * STRIDE);
            c60 = FloatVector.fromArray(SPECIES, y, yOffset + 6 * STRIDE);
            c70 = FloatVector.fromArray(SPECIES, y, yOffset + 7 * STRIDE);
        }
        for (int k = 0; k < inputs; k++) {
            int xo = xOffset + k * STRIDE;
            int wo = wOffset + k * OUTPUTS;
            FloatVector x0 = FloatVector.fromArray(SPECIES, x, xo);
            FloatVector b;
            b = FloatVector.broadcast(SPECIES, w[wo]);
            c00 = x0.fma(b, c00);
            b = FloatVector.broadcast(SPECIES, w[wo + 1]);
            c10 = x0.fma(b, c10);
            b = FloatVector.broadcast(SPECIES, w[wo + 2]);
            c20 = x0.fma(b, c20);
            b = FloatVector.broadcast(SPECIES, w[wo + 3]);
            c30 = x0.fma(b, c30);
            b = FloatVector.broadcast(SPECIES, w[wo + 4]);
            c40 = x0.fma(b, c40);
            b = FloatVector.broadcast(SPECIES, w[wo + 5]);
            c50 = x0.fma(b, c50);
            b = FloatVector.broadcast(SPECIES, w[wo + 6]);
            c60 = x0.fma(b, c60);
            b = FloatVector.broadcast(SPECIES, w[wo + 7]);
            c70 = x0.fma(b, c70);
        }
        if (relu) {
            c00 = c00.max(0f);
            c10 = c10.max(0f);
            c20 = c20.max(0f);
            c30 = c30.max(0f);
            c40 = c40.max(0f);
            c50 = c50.max(0f);
            c60 = c60.max(0f);
            c70 = c70.max(0f);
        }
        c00.intoArray(y, yOffset);
        c10.intoArray(y, yOffset + STRIDE);
        c20.intoArray(y, yOffset + 2 * STRIDE);
        c30.intoArray(y, yOffset + 3 * STRIDE);
        c40.intoArray(y, yOffset + 4 * STRIDE);
        c50.intoArray(y, yOffset + 5 * STRIDE);
        c60.intoArray(y, yOffset + 6 * STRIDE);
        c70.intoArray(y, yOffset + 7 * STRIDE);
    }
}
