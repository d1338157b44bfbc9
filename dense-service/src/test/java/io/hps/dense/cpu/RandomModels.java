package io.hps.dense.cpu;

import io.hps.model.CriteoTables;
import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded DLRM weights and inputs, initialised like PyTorch's {@code nn.Linear}. */
final class RandomModels {

    private RandomModels() {
    }

    static DlrmArchitecture criteo() {
        return DlrmArchitecture.criteo(CriteoTables.fl15(1e-3, 128));
    }

    static DlrmArchitecture architecture(int denseFeatures, int tables, int dimension, int[] bottomHidden,
                                         int[] topHidden) {
        List<TableSpec> specs = new ArrayList<>();
        for (int t = 0; t < tables; t++) {
            specs.add(new TableSpec("t" + t, 100, dimension));
        }
        int[] bottom = new int[bottomHidden.length + 1];
        System.arraycopy(bottomHidden, 0, bottom, 0, bottomHidden.length);
        bottom[bottomHidden.length] = dimension;
        int[] top = new int[topHidden.length + 1];
        System.arraycopy(topHidden, 0, top, 0, topHidden.length);
        top[topHidden.length] = 1;
        return new DlrmArchitecture(denseFeatures, specs, bottom, top);
    }

    static DlrmWeights weights(DlrmArchitecture arch, long seed) {
        Random random = new Random(seed);
        return new DlrmWeights(arch, layers(arch.denseFeatures(), arch.bottomMlp(), random),
                layers(arch.topInputWidth(), arch.topMlp(), random));
    }

    private static List<DenseLayer> layers(int inputs, int[] widths, Random random) {
        List<DenseLayer> layers = new ArrayList<>();
        int in = inputs;
        for (int out : widths) {
            float bound = (float) (1.0 / Math.sqrt(in));
            layers.add(new DenseLayer(in, out, uniform(random, in * out, bound), uniform(random, out, bound)));
            in = out;
        }
        return layers;
    }

    /** Dense features in [0, 4), like log-transformed Criteo counts. */
    static float[] dense(DlrmArchitecture arch, int batch, long seed) {
        Random random = new Random(seed);
        float[] dense = new float[batch * arch.denseFeatures()];
        for (int i = 0; i < dense.length; i++) {
            dense[i] = 4f * random.nextFloat();
        }
        return dense;
    }

    /** Embedding elements in [-0.5, 0.5). */
    static float[] embeddings(DlrmArchitecture arch, int batch, long seed) {
        return uniform(new Random(seed), batch * arch.tableCount() * arch.embeddingDimension(), 0.5f);
    }

    private static float[] uniform(Random random, int n, float bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (2f * random.nextFloat() - 1f) * bound;
        }
        return a;
    }
}
