package io.hps.dense.cpu;

import static io.hps.dense.cpu.MicroKernel.LANES;
import static io.hps.dense.cpu.MicroKernel.MAX_VECTORS;
import static io.hps.dense.cpu.MicroKernel.OUTPUTS;
import static io.hps.dense.cpu.MicroKernel.STRIDE;

import io.hps.model.dense.DenseLayer;

/**
 * One fully connected layer packed for {@link MicroKernel}: {@code y = act(W x + b)} over a chunk
 * of samples held feature-major.
 *
 * <p>Packed layout: outputs are grouped in panels of {@code OUTPUTS} (8); panel
 * {@code p} holds, for every input {@code k}, the weights {@code W[8p .. 8p+7][k]} contiguously
 * at {@code packed[(p * inputs + k) * 8 ..]}. Outputs past {@code outputs} (the last panel's
 * padding) have zero weights and bias, so they come out as zero. Immutable after construction;
 * shared by all threads.
 */
final class PackedLayer {

    /** Inputs per cache block: the block's three vectors of samples (24 KiB) stay in L1 across all panels. */
    static final int INPUT_BLOCK = 128;

    private final int inputs;
    private final int outputs;
    private final int panels;
    private final float[] packed;
    private final float[] bias;
    private final boolean relu;

    PackedLayer(DenseLayer layer, boolean relu) {
        this.inputs = layer.inputs();
        this.outputs = layer.outputs();
        this.panels = (outputs + OUTPUTS - 1) / OUTPUTS;
        this.relu = relu;
        this.packed = new float[Math.multiplyExact(panels * OUTPUTS, inputs)];
        this.bias = new float[panels * OUTPUTS];
        System.arraycopy(layer.bias(), 0, bias, 0, outputs);
        float[] w = layer.weight();
        for (int n = 0; n < outputs; n++) {
            int base = (n / OUTPUTS) * inputs * OUTPUTS + n % OUTPUTS;
            for (int k = 0; k < inputs; k++) {
                packed[base + k * OUTPUTS] = w[n * inputs + k];
            }
        }
    }

    int inputs() {
        return inputs;
    }

    int outputs() {
        return outputs;
    }

    /** Rows this layer writes into its output buffer: {@code outputs} rounded up to whole panels. */
    int paddedOutputs() {
        return panels * OUTPUTS;
    }

    /**
     * Computes the layer for samples {@code [0, width)} of a chunk.
     *
     * @param act   the chunk's activations ({@link ChunkScratch#act})
     * @param x     where the input starts in {@code act}: {@code inputs} rows of {@link MicroKernel#STRIDE}
     *              floats (feature-major); read only
     * @param y     where the output starts in {@code act}: {@link #paddedOutputs()} rows of {@code STRIDE}
     *              floats, not overlapping the input; overwritten
     * @param width samples to compute, a multiple of {@link MicroKernel#LANES}, at most {@code STRIDE}
     */
    void apply(float[] act, int x, int y, int width) {
        for (int k0 = 0; k0 < inputs; k0 += INPUT_BLOCK) {
            int block = Math.min(INPUT_BLOCK, inputs - k0);
            boolean first = k0 == 0;
            boolean clamp = relu && k0 + block == inputs;
            for (int m0 = 0; m0 < width; m0 += MAX_VECTORS * LANES) {
                int vectors = Math.min(MAX_VECTORS, (width - m0) / LANES);
                for (int p = 0; p < panels; p++) {
                    int xo = x + k0 * STRIDE + m0;
                    int wo = (p * inputs + k0) * OUTPUTS;
                    int yo = y + p * OUTPUTS * STRIDE + m0;
                    int bo = p * OUTPUTS;
                    switch (vectors) {
                        case 3 -> MicroKernel.threeVectors(act, xo, block, packed, wo, act, yo, bias, bo, first, clamp);
                        case 2 -> MicroKernel.twoVectors(act, xo, block, packed, wo, act, yo, bias, bo, first, clamp);
                        default -> MicroKernel.oneVector(act, xo, block, packed, wo, act, yo, bias, bo, first, clamp);
                    }
                }
            }
        }
    }
}
