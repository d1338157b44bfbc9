package io.hps.dense.cpu;

import static io.hps.dense.cpu.MicroKernel.LANES;
import static io.hps.dense.cpu.MicroKernel.STRIDE;

import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import java.util.Arrays;
import java.util.List;

/**
 * The whole DLRM forward for one chunk of at most {@link MicroKernel#CHUNK_SAMPLES} samples, on
 * one thread: dense features transposed to feature-major, bottom MLP (ReLU after every layer),
 * dot interaction written below the bottom output, top MLP (ReLU after all but the last layer),
 * sigmoid. Activations are feature-major, {@link MicroKernel#STRIDE} floats per feature row.
 * Immutable after construction (weights packed once); shared by all workers.
 */
final class PackedDlrm {


    private final DlrmArchitecture architecture;
    private final PackedLayer[] bottom;
    private final PackedLayer[] top;
    private final DotInteraction interaction;
    private final int activationRows;

    PackedDlrm(DlrmWeights weights) {
        this.architecture = weights.architecture();
        this.bottom = pack(weights.bottom(), true);
        this.top = pack(weights.top(), false);
        this.interaction = new DotInteraction(architecture.embeddingDimension(), architecture.interactionVectors());
        int rows = Math.max(architecture.denseFeatures(), architecture.topInputWidth());
        for (PackedLayer l : bottom) {
            rows = Math.max(rows, l.paddedOutputs());
        }
        for (PackedLayer l : top) {
            rows = Math.max(rows, l.paddedOutputs());
        }
        this.activationRows = rows;
    }

    private static PackedLayer[] pack(List<DenseLayer> layers, boolean reluLast) {
        PackedLayer[] packed = new PackedLayer[layers.size()];
        for (int l = 0; l < packed.length; l++) {
            packed[l] = new PackedLayer(layers.get(l), reluLast || l < packed.length - 1);
        }
        return packed;
    }

    DlrmArchitecture architecture() {
        return architecture;
    }

    ChunkScratch newScratch() {
        int vectorFloats = architecture.interactionVectors() * architecture.embeddingDimension();
        return new ChunkScratch(activationRows, STRIDE, vectorFloats);
    }

    /**
     * Scores samples {@code [row0, row0 + rows)} into {@code out[row0 ..]}: probabilities, or
     * logits when {@code logits} is set.
     */
    void run(BatchInput input, int row0, int rows, ChunkScratch scratch, float[] out, boolean logits) {
        int width = (rows + LANES - 1) / LANES * LANES;
        float[] act = scratch.act;
        input.denseColumns(row0, rows, width, architecture.denseFeatures(), act, STRIDE);
        int x = layers(bottom, scratch, 0, width);
        interact(input, row0, rows, width, act, x, scratch.vectors);
        x = layers(top, scratch, x, width);
        for (int m = 0; m < rows; m++) {
            out[row0 + m] = logits ? act[x + m] : sigmoid(act[x + m]);
        }
    }

    /**
     * Runs the bottom MLP of samples {@code [row0, row0 + rows)} and writes its output
     * sample-major to {@code bottomOut[(row0 + m) * dimension + f]}.
     */
    void runBottom(BatchInput input, int row0, int rows, ChunkScratch scratch, float[] bottomOut) {
        int width = (rows + LANES - 1) / LANES * LANES;
        float[] act = scratch.act;
        input.denseColumns(row0, rows, width, architecture.denseFeatures(), act, STRIDE);
        int x = layers(bottom, scratch, 0, width);
        int k = architecture.embeddingDimension();
        for (int m = 0; m < rows; m++) {
            for (int f = 0; f < k; f++) {
                bottomOut[(row0 + m) * k + f] = act[x + f * STRIDE + m];
            }
        }
    }

    /**
     * Scores samples {@code [row0, row0 + rows)} from their bottom MLP output, as {@link #runBottom}
     * wrote it, and their embeddings: the same arithmetic as {@link #run}, so the same scores.
     */
    void runTop(BatchInput input, int row0, int rows, ChunkScratch scratch, float[] bottomIn, float[] out,
                boolean logits) {
        int width = (rows + LANES - 1) / LANES * LANES;
        int k = architecture.embeddingDimension();
        float[] act = scratch.act;
        for (int f = 0; f < k; f++) {
            for (int m = 0; m < rows; m++) {
                act[f * STRIDE + m] = bottomIn[(row0 + m) * k + f];
            }
            Arrays.fill(act, f * STRIDE + rows, f * STRIDE + width, 0f);
        }
        interact(input, row0, rows, width, act, 0, scratch.vectors);
        int x = layers(top, scratch, 0, width);
        for (int m = 0; m < rows; m++) {
            out[row0 + m] = logits ? act[x + m] : sigmoid(act[x + m]);
        }
    }

    /**
     * Runs {@code layers} on the chunk's activations, the first reading the buffer at {@code x}
     * (0 or {@link ChunkScratch#second}), each writing the other buffer; returns where the last
     * one's output is.
     */
    private static int layers(PackedLayer[] layers, ChunkScratch scratch, int x, int width) {
        int y = x == 0 ? scratch.second : 0;
        for (PackedLayer layer : layers) {
            layer.apply(scratch.act, x, y, width);
            int t = x;
            x = y;
            y = t;
        }
        return x;
    }

    /**
     * Appends the dot products below the bottom output rows of the buffer at {@code base} of
     * {@code act}; padding columns get zeros.
     */
    private void interact(BatchInput input, int row0, int rows, int width, float[] act, int base, float[] vectors) {
        int k = architecture.embeddingDimension();
        int embeddingFloats = architecture.tableCount() * k;
        for (int m = 0; m < rows; m++) {
            for (int f = 0; f < k; f++) {
                vectors[f] = act[base + f * STRIDE + m];
            }
            input.embeddings(row0 + m, embeddingFloats, vectors, k);
            interaction.interact(vectors, act, base, k, STRIDE, m);
        }
        for (int r = k; r < k + interaction.pairs(); r++) {
            for (int m = rows; m < width; m++) {
                act[base + r * STRIDE + m] = 0f;
            }
        }
    }

    static float sigmoid(float logit) {
        return (float) (1.0 / (1.0 + Math.exp(-(double) logit)));
    }
}
