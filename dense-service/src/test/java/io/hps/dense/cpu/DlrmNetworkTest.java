package io.hps.dense.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.reference.ReferenceDlrm;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class DlrmNetworkTest {

    /** Relative error allowed on a probability. */
    static final double PROBABILITY_TOLERANCE = 1e-5;
    /** Logit tolerance: absolute plus relative to the logit's magnitude. */
    static final double LOGIT_ABSOLUTE = 1e-5;
    static final double LOGIT_RELATIVE = 1e-5;

    @Property(tries = 60)
    void shouldMatchReferenceForRandomArchitectures(
            @ForAll @IntRange(min = 1, max = 20) int denseFeatures,
            @ForAll @IntRange(min = 1, max = 6) int tables,
            @ForAll @IntRange(min = 1, max = 40) int dimension,
            @ForAll("hiddenWidths") int[] bottomHidden,
            @ForAll("hiddenWidths") int[] topHidden,
            @ForAll @IntRange(min = 1, max = 70) int batch,
            @ForAll @IntRange(min = 1, max = 3) int threads,
            @ForAll long seed) {
        DlrmArchitecture arch = RandomModels.architecture(denseFeatures, tables, dimension, bottomHidden, topHidden);
        assertMatchesReference(RandomModels.weights(arch, seed), batch, threads, seed);
    }

    /** Up to two hidden layers; widths past {@link PackedLayer#INPUT_BLOCK} exercise the input blocking. */
    @Provide
    Arbitrary<int[]> hiddenWidths() {
        return Arbitraries.integers().between(1, 300).array(int[].class).ofMaxSize(2);
    }

    @Example
    void shouldMatchReferenceOnCriteoShape() {
        DlrmWeights weights = RandomModels.weights(RandomModels.criteo(), 7);
        for (int batch : new int[] {1, 3, 17, 130}) {
            assertMatchesReference(weights, batch, 2, batch);
        }
    }

    @Example
    void shouldMatchReferenceAtBatchSizesOffTheChunkGrid() {
        DlrmArchitecture arch = RandomModels.architecture(13, 5, 24, new int[] {40, 33}, new int[] {70, 19});
        DlrmWeights weights = RandomModels.weights(arch, 11);
        for (int batch : new int[] {1, 3, 17, 1000}) {
            assertMatchesReference(weights, batch, 2, batch);
        }
    }

    static void assertMatchesReference(DlrmWeights weights, int batch, int threads, long seed) {
        DlrmArchitecture arch = weights.architecture();
        float[] dense = RandomModels.dense(arch, batch, seed);
        float[] embeddings = RandomModels.embeddings(arch, batch, seed + 1);
        ReferenceDlrm reference = new ReferenceDlrm(weights);
        double[] expected = reference.forward(batch, dense, embeddings);
        float[] probabilities = new float[batch];
        float[] logits = new float[batch];
        try (DlrmNetwork network = DlrmNetwork.load(weights, threads)) {
            network.forward(batch, dense, embeddings, probabilities);
            network.logits(batch, dense, embeddings, logits);
        }
        int d = arch.denseFeatures();
        long perSample = (long) arch.tableCount() * arch.embeddingDimension();
        for (int s = 0; s < batch; s++) {
            double logit = reference.logit(dense, s * d, embeddings, s * perSample);
            assertThat(Math.abs(logits[s] - logit))
                    .as("logit of sample %d of %d: got %s, reference %s", s, batch, logits[s], logit)
                    .isLessThanOrEqualTo(LOGIT_ABSOLUTE + LOGIT_RELATIVE * Math.abs(logit));
            assertThat(Math.abs(probabilities[s] - expected[s]) / expected[s])
                    .as("probability of sample %d of %d: got %s, reference %s", s, batch, probabilities[s], expected[s])
                    .isLessThanOrEqualTo(PROBABILITY_TOLERANCE);
        }
    }
}
