package io.hps.model.reference;

import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import java.util.List;

/**
 * The DLRM forward pass in float64: slow, plain and obviously right. Every faster implementation
 * (CPU Vector API, GPU kernels, the three serving paths) is tested against it.
 *
 * <p>For one sample with dense features {@code x} (length {@code d = denseFeatures}) and one
 * embedding vector {@code e_t} per table {@code t = 0..T-1} (length {@code k}, the embedding
 * dimension), it computes, all in {@code double}:
 * <ol>
 *   <li>bottom MLP: {@code z_0 = x}; {@code z_{l+1} = relu(W_l z_l + b_l)} for every bottom layer,
 *       ReLU after every layer including the last; {@code b = z_L} has length {@code k};</li>
 *   <li>dot interaction over the {@code n = T + 1} vectors {@code v_0 = b, v_1 = e_0, ..., v_T = e_{T-1}}:
 *       the strictly-upper dot products {@code <v_i, v_j>} for {@code i < j}, ordered by {@code j}
 *       and then by {@code i} (row-major over the strictly-lower triangle of {@code V V^T}, as
 *       the MLPerf DLRM's {@code interact_features} with {@code arch_interaction_itself=false}):
 *       {@code n(n-1)/2} values (351 for 27 vectors);</li>
 *   <li>top input {@code t_0 = [b, dots]}: the bottom output first, then the dot products
 *       ({@code 128 + 351 = 479} for Criteo);</li>
 *   <li>top MLP: ReLU after every layer except the last, whose single output {@code s} is
 *       passed through {@code sigmoid(s) = 1 / (1 + exp(-s))}.</li>
 * </ol>
 * Inputs and weights are float32 (the served precision); every product and sum is float64.
 */
public final class ReferenceDlrm {

    private final DlrmWeights weights;
    private final DlrmArchitecture arch;

    public ReferenceDlrm(DlrmWeights weights) {
        this.weights = weights;
        this.arch = weights.architecture();
    }

    /**
     * Scores a batch.
     *
     * @param batch      number of samples
     * @param dense      {@code batch x denseFeatures}, row-major
     * @param embeddings {@code batch x tables x dimension}, row-major (sample, then table, then element)
     * @return {@code batch} click probabilities in [0, 1]
     */
    public double[] forward(int batch, float[] dense, float[] embeddings) {
        int d = arch.denseFeatures();
        int k = arch.embeddingDimension();
        int tables = arch.tableCount();
        if (dense.length != (long) batch * d) {
            throw new IllegalArgumentException("dense length must be batch x denseFeatures: length=" + dense.length
                    + " batch=" + batch + " denseFeatures=" + d);
        }
        if (embeddings.length != (long) batch * tables * k) {
            throw new IllegalArgumentException("embeddings length must be batch x tables x dimension: length="
                    + embeddings.length + " batch=" + batch + " tables=" + tables + " dimension=" + k);
        }
        double[] out = new double[batch];
        for (int s = 0; s < batch; s++) {
            out[s] = sample(dense, s * d, embeddings, (long) s * tables * k);
        }
        return out;
    }

    /** Logit before the sigmoid, for one sample; exposed for tolerance checks near 0 and 1. */
    public double logit(float[] dense, int denseOffset, float[] embeddings, long embeddingOffset) {
        int d = arch.denseFeatures();
        int k = arch.embeddingDimension();
        int n = arch.interactionVectors();
        double[] x = new double[d];
        for (int i = 0; i < d; i++) {
            x[i] = dense[denseOffset + i];
        }
        double[] bottom = mlp(weights.bottom(), x, true);
        double[][] v = new double[n][];
        v[0] = bottom;
        for (int t = 0; t < n - 1; t++) {
            double[] e = new double[k];
            for (int i = 0; i < k; i++) {
                e[i] = embeddings[(int) (embeddingOffset + (long) t * k + i)];
            }
            v[t + 1] = e;
        }
        double[] top = new double[arch.topInputWidth()];
        System.arraycopy(bottom, 0, top, 0, k);
        int p = k;
        for (int j = 1; j < n; j++) {
            for (int i = 0; i < j; i++) {
                top[p++] = dot(v[i], v[j]);
            }
        }
        return mlp(weights.top(), top, false)[0];
    }

    private double sample(float[] dense, int denseOffset, float[] embeddings, long embeddingOffset) {
        return sigmoid(logit(dense, denseOffset, embeddings, embeddingOffset));
    }

    /** Applies the layers; ReLU after every layer, or after all but the last when {@code reluLast} is false. */
    private static double[] mlp(List<DenseLayer> layers, double[] in, boolean reluLast) {
        double[] x = in;
        for (int l = 0; l < layers.size(); l++) {
            DenseLayer layer = layers.get(l);
            double[] y = new double[layer.outputs()];
            for (int o = 0; o < layer.outputs(); o++) {
                double acc = layer.bias()[o];
                for (int i = 0; i < layer.inputs(); i++) {
                    acc += (double) layer.w(o, i) * x[i];
                }
                boolean relu = reluLast || l < layers.size() - 1;
                y[o] = relu ? Math.max(0.0, acc) : acc;
            }
            x = y;
        }
        return x;
    }

    private static double dot(double[] a, double[] b) {
        double acc = 0;
        for (int i = 0; i < a.length; i++) {
            acc += a[i] * b[i];
        }
        return acc;
    }

    public static double sigmoid(double s) {
        return 1.0 / (1.0 + Math.exp(-s));
    }
}
