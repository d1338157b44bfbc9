package io.hps.model.dense;

import io.hps.model.DlrmArchitecture;
import java.util.List;

/**
 * The dense part of a DLRM: bottom and top MLP layers, in order. Embedding tables live in sparse
 * files and are not part of this object.
 */
public record DlrmWeights(DlrmArchitecture architecture, List<DenseLayer> bottom, List<DenseLayer> top) {
    public DlrmWeights {
        bottom = List.copyOf(bottom);
        top = List.copyOf(top);
        check("bottom", bottom, architecture.denseFeatures(), architecture.bottomMlp());
        check("top", top, architecture.topInputWidth(), architecture.topMlp());
    }

    private static void check(String part, List<DenseLayer> layers, int inputs, int[] widths) {
        if (layers.size() != widths.length) {
            throw new IllegalArgumentException(part + " MLP layer count mismatch: layers=" + layers.size()
                    + " expected=" + widths.length);
        }
        int in = inputs;
        for (int i = 0; i < widths.length; i++) {
            DenseLayer l = layers.get(i);
            if (l.inputs() != in || l.outputs() != widths[i]) {
                throw new IllegalArgumentException(part + " MLP layer " + i + " shape mismatch: inputs=" + l.inputs()
                        + " outputs=" + l.outputs() + " expected inputs=" + in + " outputs=" + widths[i]);
            }
            in = widths[i];
        }
    }
}
