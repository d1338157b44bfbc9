package io.hps.gpu.bench;

import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Reproducible random DLRM weights for benchmarks and accuracy checks: He-uniform weights
 * ({@code U(-sqrt(6 / inputs), +sqrt(6 / inputs))}), biases {@code U(-0.1, 0.1)}, the last layer scaled by
 * 1/4 so that logits stay of order 1 and the sigmoid does not saturate.
 */
public final class SeededWeights {

    private static final double LAST_LAYER_SCALE = 0.25;
    private static final double BIAS_BOUND = 0.1;

    private SeededWeights() {
    }

    public static DlrmWeights create(DlrmArchitecture arch, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<DenseLayer> bottom = layers(random, arch.denseFeatures(), arch.bottomMlp(), false);
        List<DenseLayer> top = layers(random, arch.topInputWidth(), arch.topMlp(), true);
        return new DlrmWeights(arch, bottom, top);
    }

    private static List<DenseLayer> layers(SplittableRandom random, int inputs, int[] widths, boolean scaleLast) {
        List<DenseLayer> layers = new ArrayList<>(widths.length);
        int in = inputs;
        for (int l = 0; l < widths.length; l++) {
            double scale = scaleLast && l == widths.length - 1 ? LAST_LAYER_SCALE : 1.0;
            layers.add(layer(random, in, widths[l], Math.sqrt(6.0 / in) * scale));
            in = widths[l];
        }
        return layers;
    }

    private static DenseLayer layer(SplittableRandom random, int inputs, int outputs, double bound) {
        float[] w = new float[inputs * outputs];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextDouble(-bound, bound);
        }
        float[] b = new float[outputs];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextDouble(-BIAS_BOUND, BIAS_BOUND);
        }
        return new DenseLayer(inputs, outputs, w, b);
    }

    /** {@code count} floats uniform in {@code [low, high)}. */
    public static float[] uniform(SplittableRandom random, int count, double low, double high) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) random.nextDouble(low, high);
        }
        return out;
    }
}
