package io.hps.model.gen;

import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MLPerf DLRM initialisation of the MLPs: weights normal(0, sqrt(2 / (in + out))), biases
 * normal(0, sqrt(1 / out)), each layer from its own {@link RandomStreams#denseLayer} stream.
 */
final class DenseInitializer {

    private DenseInitializer() {
    }

    static DlrmWeights initialise(DlrmArchitecture architecture, long seed) {
        return new DlrmWeights(architecture,
                layers(seed, 0, architecture.denseFeatures(), architecture.bottomMlp()),
                layers(seed, 1, architecture.topInputWidth(), architecture.topMlp()));
    }

    private static List<DenseLayer> layers(long seed, int mlp, int inputs, int[] widths) {
        List<DenseLayer> layers = new ArrayList<>(widths.length);
        int in = inputs;
        for (int i = 0; i < widths.length; i++) {
            layers.add(layer(RandomStreams.denseLayer(seed, mlp, i), in, widths[i]));
            in = widths[i];
        }
        return layers;
    }

    private static DenseLayer layer(SplittableRandom random, int in, int out) {
        float[] weight = normal(random, in * out, Math.sqrt(2.0 / (in + out)));
        float[] bias = normal(random, out, Math.sqrt(1.0 / out));
        return new DenseLayer(in, out, weight, bias);
    }

    private static float[] normal(SplittableRandom random, int n, double stddev) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * stddev);
        }
        return values;
    }
}
