package io.hps.model.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hps.model.CriteoTables;
import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden tests of the float64 reference forward pass on models small enough to compute by hand.
 * Every weight and input is a short binary fraction, so float32 holds it exactly and every sum
 * below is exact in float64.
 */
class ReferenceDlrmTest {

    private static final double EXACT = 1e-12;

    /**
     * The tiny model: 2 dense features, 2 tables of dimension 2, bottom MLP [2], top MLP [2, 1].
     * 3 interaction vectors give 3 pairs; the top input is 2 + 3 = 5 wide.
     *
     * <pre>
     * bottom W = [[ 1, 2  ],      b = [0.5, -1]
     *             [-1, 0.5]]
     * top1   W = [[ 0.5, 1, 0.25, -0.25,  2],   b = [0.25, 0]
     *             [-1,   0, 0,     0.5,  -4]]
     * top2   W = [[1.5, 3]],     b = [-4]
     * </pre>
     */
    private static DlrmWeights tinyModel() {
        DlrmArchitecture arch = new DlrmArchitecture(2, List.of(new TableSpec("t0", 10, 2), new TableSpec("t1", 10, 2)),
                new int[] {2}, new int[] {2, 1});
        DenseLayer bottom = new DenseLayer(2, 2, new float[] {1, 2, -1, 0.5f}, new float[] {0.5f, -1});
        DenseLayer top1 = new DenseLayer(5, 2, new float[] {0.5f, 1, 0.25f, -0.25f, 2, -1, 0, 0, 0.5f, -4},
                new float[] {0.25f, 0});
        DenseLayer top2 = new DenseLayer(2, 1, new float[] {1.5f, 3}, new float[] {-4});
        return new DlrmWeights(arch, List.of(bottom), List.of(top1, top2));
    }

    /**
     * x = [1, 2], e0 = [1, 2], e1 = [3, -1].
     *
     * <pre>
     * bottom: 1*1 + 2*2 + 0.5      =  5.5
     *         -1*1 + 0.5*2 - 1     = -1    -> ReLU (last bottom layer too) -> 0
     *         b = [5.5, 0]
     * vectors v0 = b = [5.5, 0], v1 = e0 = [1, 2], v2 = e1 = [3, -1]
     * dots, ordered by j then i:  &lt;v0,v1&gt; = 5.5,  &lt;v0,v2&gt; = 16.5,  &lt;v1,v2&gt; = 3 - 2 = 1
     * top input = [b, dots] = [5.5, 0, 5.5, 16.5, 1]
     * top1: 0.5*5.5 + 1*0 + 0.25*5.5 - 0.25*16.5 + 2*1 + 0.25
     *     = 2.75 + 0 + 1.375 - 4.125 + 2 + 0.25 = 2.25              -> ReLU -> 2.25
     *       -1*5.5 + 0 + 0 + 0.5*16.5 - 4*1 + 0 = -5.5 + 8.25 - 4 = -1.25 -> ReLU -> 0
     * top2 (last, no ReLU): 1.5*2.25 + 3*0 - 4 = 3.375 - 4 = -0.625
     * p = sigmoid(-0.625) = 1 / (1 + e^0.625) = 0.34864513533394575
     * </pre>
     * Without the ReLU after the last bottom layer b would be [5.5, -1] and the logit -3.25; without
     * the hidden top ReLU the logit would be -4.375; with a ReLU on the last top layer it would be 0.
     */
    @Test
    void shouldComputeHandCheckedLogitAndProbability() {
        ReferenceDlrm dlrm = new ReferenceDlrm(tinyModel());
        float[] dense = {1, 2};
        float[] embeddings = {1, 2, 3, -1};

        assertThat(dlrm.logit(dense, 0, embeddings, 0)).isCloseTo(-0.625, within(EXACT));
        assertThat(dlrm.forward(1, dense, embeddings)[0]).isCloseTo(0.34864513533394575, within(EXACT));
    }

    /**
     * Sample 1 of a batch of 2: x = [0, 0] and zero embeddings.
     * <pre>
     * bottom: relu([0.5, -1]) = [0.5, 0]; every dot product is 0; top input = [0.5, 0, 0, 0, 0]
     * top1: 0.5*0.5 + 0.25 = 0.5;  -1*0.5 = -0.5 -> 0
     * top2: 1.5*0.5 - 4 = -3.25;   p = 1 / (1 + e^3.25) = 0.03732688734412946
     * </pre>
     */
    @Test
    void shouldScoreEachSampleOfABatchFromItsOwnRows() {
        ReferenceDlrm dlrm = new ReferenceDlrm(tinyModel());
        float[] dense = {1, 2, 0, 0};
        float[] embeddings = {1, 2, 3, -1, 0, 0, 0, 0};

        double[] p = dlrm.forward(2, dense, embeddings);

        assertThat(p[0]).isCloseTo(0.34864513533394575, within(EXACT));
        assertThat(p[1]).isCloseTo(0.03732688734412946, within(EXACT));
        assertThat(dlrm.logit(dense, 2, embeddings, 4)).isCloseTo(-3.25, within(EXACT));
    }

    /**
     * Probes the top input one position at a time: a single top layer whose only weight 1 sits at
     * position p returns top input p itself (no ReLU after the last layer, so negatives survive).
     * With 3 tables there are 4 vectors, and "by j, then i" differs from "by i, then j".
     * <pre>
     * bottom W = identity, b = [0, -3]; x = [2, 1]  -> [2, -2] -> ReLU -> b = [2, 0]
     * v0 = [2, 0], v1 = [1, 2], v2 = [3, -1], v3 = [-2, 5]
     * (0,1) = 2   (0,2) = 6   (1,2) = 1   (0,3) = -4   (1,3) = 8   (2,3) = -11
     * top input = [2, 0, 2, 6, 1, -4, 8, -11]
     * </pre>
     */
    @Test
    void shouldOrderTopInputAsBottomOutputThenDotsByJThenI() {
        List<TableSpec> tables = List.of(new TableSpec("a", 4, 2), new TableSpec("b", 4, 2), new TableSpec("c", 4, 2));
        DlrmArchitecture arch = new DlrmArchitecture(2, tables, new int[] {2}, new int[] {1});
        DenseLayer bottom = new DenseLayer(2, 2, new float[] {1, 0, 0, 1}, new float[] {0, -3});
        float[] dense = {2, 1};
        float[] embeddings = {1, 2, 3, -1, -2, 5};
        double[] expected = {2, 0, 2, 6, 1, -4, 8, -11};

        assertThat(arch.topInputWidth()).isEqualTo(expected.length);
        List<Double> probed = new ArrayList<>();
        for (int p = 0; p < expected.length; p++) {
            float[] w = new float[expected.length];
            w[p] = 1;
            DenseLayer probe = new DenseLayer(expected.length, 1, w, new float[] {0});
            probed.add(new ReferenceDlrm(new DlrmWeights(arch, List.of(bottom), List.of(probe)))
                    .logit(dense, 0, embeddings, 0));
        }
        assertThat(probed).containsExactly(2.0, 0.0, 2.0, 6.0, 1.0, -4.0, 8.0, -11.0);
    }

    @Test
    void shouldGiveCriteoShape351PairsAnd479TopInputs() {
        DlrmArchitecture criteo = DlrmArchitecture.criteo(CriteoTables.fl15(1.0, 128));

        assertThat(criteo.interactionVectors()).isEqualTo(27);
        assertThat(criteo.interactionPairs()).isEqualTo(351);
        assertThat(criteo.topInputWidth()).isEqualTo(479);
    }

    @Test
    void shouldMapLogitThroughSigmoid() {
        assertThat(ReferenceDlrm.sigmoid(0)).isEqualTo(0.5);
        assertThat(ReferenceDlrm.sigmoid(-0.625) + ReferenceDlrm.sigmoid(0.625)).isCloseTo(1.0, within(EXACT));
    }
}
