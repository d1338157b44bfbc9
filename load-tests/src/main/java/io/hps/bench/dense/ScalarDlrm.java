package io.hps.bench.dense;

import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Baseline for the dense benchmark: the same float32 DLRM forward written the plain way, one
 * sample at a time with scalar loops over the row-major PyTorch weights, the batch split into one
 * contiguous block per thread of a fixed pool. Allocates per call; not for serving.
 */
final class ScalarDlrm implements AutoCloseable {

    private final DlrmWeights weights;
    private final DlrmArchitecture arch;
    private final ExecutorService pool;
    private final int threads;

    ScalarDlrm(DlrmWeights weights, int threads) {
        this.weights = weights;
        this.arch = weights.architecture();
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads);
    }

    /** Scores {@code batch} samples into {@code out}, inputs laid out as for the dense network. */
    void forward(int batch, float[] dense, float[] embeddings, float[] out)
            throws InterruptedException, ExecutionException {
        int block = (batch + threads - 1) / threads;
        Future<?>[] parts = new Future<?>[threads];
        for (int t = 0; t < threads; t++) {
            int from = Math.min(batch, t * block);
            int to = Math.min(batch, from + block);
            parts[t] = pool.submit(() -> {
                for (int s = from; s < to; s++) {
                    out[s] = sample(dense, s, embeddings);
                }
            });
        }
        for (Future<?> p : parts) {
            p.get();
        }
    }

    private float sample(float[] dense, int s, float[] embeddings) {
        int d = arch.denseFeatures();
        int k = arch.embeddingDimension();
        int n = arch.interactionVectors();
        float[] x = new float[d];
        System.arraycopy(dense, s * d, x, 0, d);
        float[] bottom = mlp(weights.bottom(), x, true);
        float[] top = new float[arch.topInputWidth()];
        System.arraycopy(bottom, 0, top, 0, k);
        int base = s * (n - 1) * k;
        int p = k;
        for (int j = 1; j < n; j++) {
            for (int i = 0; i < j; i++) {
                float acc = 0f;
                for (int e = 0; e < k; e++) {
                    float vi = i == 0 ? bottom[e] : embeddings[base + (i - 1) * k + e];
                    acc += vi * embeddings[base + (j - 1) * k + e];
                }
                top[p++] = acc;
            }
        }
        float logit = mlp(weights.top(), top, false)[0];
        return (float) (1.0 / (1.0 + Math.exp(-logit)));
    }

    private static float[] mlp(List<DenseLayer> layers, float[] in, boolean reluLast) {
        float[] x = in;
        for (int l = 0; l < layers.size(); l++) {
            DenseLayer layer = layers.get(l);
            float[] w = layer.weight();
            float[] y = new float[layer.outputs()];
            boolean relu = reluLast || l < layers.size() - 1;
            for (int o = 0; o < y.length; o++) {
                float acc = layer.bias()[o];
                int row = o * layer.inputs();
                for (int i = 0; i < layer.inputs(); i++) {
                    acc += w[row + i] * x[i];
                }
                y[o] = relu ? Math.max(0f, acc) : acc;
            }
            x = y;
        }
        return x;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
