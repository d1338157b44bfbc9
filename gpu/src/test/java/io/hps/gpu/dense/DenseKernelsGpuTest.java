package io.hps.gpu.dense;

import static io.hps.gpu.Accuracy.relativeError;
import static io.hps.gpu.Accuracy.report;
import static org.assertj.core.api.Assertions.assertThat;

import io.hps.gpu.Accuracy;
import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuRuntime;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("gpu")
class DenseKernelsGpuTest {

    private final DeviceOwner owner = GpuRuntime.device(0);
    private final SplittableRandom random = new SplittableRandom();

    static double threshold(GemmMode mode) {
        return mode == GemmMode.FP32 ? 1e-5 : 2e-3;
    }

    @ParameterizedTest
    @CsvSource({
        "FP32, LARGE, 300, 203, 68, 1", "FP32, SMALL, 300, 203, 68, 1", "FP32, LARGE, 37, 1030, 1024, 1",
        "FP32, SMALL, 37, 1030, 1024, 0", "TF32, LARGE, 300, 203, 68, 1", "TF32, SMALL, 300, 203, 68, 1",
        "TF32, LARGE, 37, 1030, 1024, 1", "TF32, SMALL, 37, 1030, 1024, 0", "TF32, LARGE, 1, 1, 4, 0",
        "TF32_ROUNDED, LARGE, 300, 203, 68, 1", "TF32_ROUNDED, LARGE, 37, 1030, 1024, 1",
        "TF32_ROUNDED, SMALL, 129, 259, 516, 0", "TF32_ROUNDED, LARGE, 257, 520, 1024, 0"
    })
    void shouldMatchTheFloat64GemmWithBiasAndRelu(GemmMode mode, DenseKernels.Tile tile, int m, int n, int k, int relu) {
        int ldx = k + 4;
        int ldy = n + (n % 2);
        float[] x = uniform(m * ldx, -1, 1);
        float[] w = uniform(n * k, -1, 1);
        float[] b = uniform(n, -1, 1);
        boolean rounded = mode == GemmMode.TF32_ROUNDED;

        float[] y = owner.submit(c -> {
            try (DeviceBuffer dx = c.allocate(x.length * 4L); DeviceBuffer dw = c.allocate(w.length * 4L);
                 DeviceBuffer db = c.allocate(b.length * 4L); DeviceBuffer dy = c.allocate((long) m * ldy * 4)) {
                dx.write(rounded ? GemmMode.roundTf32(x) : x, 0);
                dw.write(rounded ? GemmMode.roundTf32(w) : w, 0);
                db.write(b, 0);
                dy.fillAsync(Float.NaN, (long) m * ldy);
                new DenseKernels(c, mode, false).gemm(dx.pointer(), ldx, dw.pointer(), k, db.pointer(), dy.pointer(),
                        ldy, m, n, k, relu * DenseKernels.FLAG_RELU, tile);
                return dy.readFloats(0, m * ldy);
            }
        }).join();

        float[] actual = new float[m * n];
        double[] expected = new double[m * n];
        double[] scale = new double[m * n];
        for (int r = 0; r < m; r++) {
            for (int o = 0; o < n; o++) {
                double acc = b[o];
                double magnitude = Math.abs(b[o]);
                for (int i = 0; i < k; i++) {
                    double term = (double) x[r * ldx + i] * w[o * k + i];
                    acc += term;
                    magnitude += Math.abs(term);
                }
                expected[r * n + o] = relu == 1 ? Math.max(0, acc) : acc;
                scale[r * n + o] = magnitude;
                actual[r * n + o] = y[r * ldy + o];
            }
        }
        String what = "gemm " + mode + " " + tile + " " + m + "x" + n + "x" + k + " relu=" + relu;
        double error = report(what, relativeError(actual, expected));
        // Every element within the threshold of the size of its terms; the norm error as well where
        // there are enough elements for cancellation in a few of them not to dominate it (a single
        // output of four terms can land near zero, and TF32's 1e-3 of its terms is then a large
        // fraction of it).
        assertThat(Accuracy.scaledError(actual, expected, scale)).as(what + " element error")
                .isLessThan(threshold(mode));
        if (m * n >= 64) {
            assertThat(error).as(what + " norm error").isLessThan(threshold(mode));
        }
    }

    @ParameterizedTest
    @CsvSource({"false, false", "false, true", "true, false", "true, true"})
    void shouldComputeTheDotInteractionInReferenceOrder(boolean tensorCores, boolean roundOut) {
        int batch = 77;
        int tables = 26;
        int dim = 128;
        int ldb = dim + 4;
        int pairs = (tables + 1) * tables / 2;
        int ldo = DenseKernels.roundUp4(dim + pairs);
        float[] bottom = uniform(batch * ldb, -1, 1);
        float[] emb = uniform(batch * tables * dim, -0.5, 0.5);

        float[] out = owner.submit(c -> {
            try (DeviceBuffer db = c.allocate(bottom.length * 4L); DeviceBuffer de = c.allocate(emb.length * 4L);
                 DeviceBuffer dout = c.allocate((long) batch * ldo * 4)) {
                db.write(bottom, 0);
                de.write(emb, 0);
                dout.fillAsync(Float.NaN, (long) batch * ldo);
                new DenseKernels(c, GemmMode.FP32, tensorCores).interaction(db.pointer(), ldb, de.pointer(),
                        dout.pointer(), ldo, batch, tables, dim, roundOut);
                return dout.readFloats(0, batch * ldo);
            }
        }).join();

        float[] actual = new float[batch * (dim + pairs)];
        double[] expected = new double[actual.length];
        int p = 0;
        for (int s = 0; s < batch; s++) {
            double[][] v = new double[tables + 1][dim];
            for (int k = 0; k < dim; k++) {
                v[0][k] = bottom[s * ldb + k];
                for (int t = 0; t < tables; t++) {
                    v[t + 1][k] = emb[(s * tables + t) * dim + k];
                }
            }
            for (int k = 0; k < dim; k++) {
                expected[p] = v[0][k];
                actual[p++] = out[s * ldo + k];
            }
            int col = dim;
            for (int j = 1; j <= tables; j++) {
                for (int i = 0; i < j; i++) {
                    double dot = 0;
                    for (int k = 0; k < dim; k++) {
                        dot += v[i][k] * v[j][k];
                    }
                    expected[p] = dot;
                    actual[p++] = out[s * ldo + col++];
                }
            }
            assertThat(out[s * ldo + ldo - 1]).isEqualTo(0.0f);
        }
        if (roundOut) {
            for (float f : actual) {
                assertThat(Float.floatToRawIntBits(f) & 0x1FFF).isZero();
            }
        }
        double error = report("interaction tensorCores=" + tensorCores + " roundOut=" + roundOut,
                relativeError(actual, expected));
        assertThat(error).isLessThan(tensorCores || roundOut ? 2e-3 : 1e-5);
    }

    @Test
    void shouldFuseTheSigmoidIntoTheLastLayer() {
        int m = 1000;
        int k = 256;
        float[] x = uniform(m * k, -1, 1);
        float[] w = uniform(k, -0.2, 0.2);
        float[] b = uniform(1, -1, 1);

        float[][] out = owner.submit(c -> {
            try (DeviceBuffer dx = c.allocate(x.length * 4L); DeviceBuffer dw = c.allocate(w.length * 4L);
                 DeviceBuffer db = c.allocate(4); DeviceBuffer ds = c.allocate(m * 4L); DeviceBuffer dl = c.allocate(m * 4L)) {
                dx.write(x, 0);
                dw.write(w, 0);
                db.write(b, 0);
                ds.fillAsync(Float.NaN, m);
                dl.fillAsync(Float.NaN, m);
                new DenseKernels(c, GemmMode.FP32, false).linearSigmoid(dx.pointer(), k, dw.pointer(), db.pointer(),
                        ds.pointer(), dl.pointer(), m, k);
                return new float[][] {ds.readFloats(0, m), dl.readFloats(0, m)};
            }
        }).join();

        double[] logits = new double[m];
        double[] scores = new double[m];
        for (int r = 0; r < m; r++) {
            double acc = b[0];
            for (int i = 0; i < k; i++) {
                acc += (double) x[r * k + i] * w[i];
            }
            logits[r] = acc;
            scores[r] = 1 / (1 + Math.exp(-acc));
        }
        assertThat(report("linear_sigmoid logits", relativeError(out[1], logits))).isLessThan(1e-5);
        assertThat(report("linear_sigmoid scores", relativeError(out[0], scores))).isLessThan(1e-6);
    }

    @Test
    void shouldPadDenseRowsWithZeros() {
        int rows = 333;
        float[] src = uniform(rows * 13, 0, 1);

        float[] out = owner.submit(c -> {
            try (DeviceBuffer s = c.allocate(src.length * 4L); DeviceBuffer d = c.allocate(rows * 16 * 4L)) {
                s.write(src, 0);
                d.fillAsync(Float.NaN, rows * 16L);
                new DenseKernels(c, GemmMode.FP32, false).padColumns(s.pointer(), 13, d.pointer(), 16, rows, false);
                return d.readFloats(0, rows * 16);
            }
        }).join();

        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 16; c++) {
                assertThat(out[r * 16 + c]).isEqualTo(c < 13 ? src[r * 13 + c] : 0.0f);
            }
        }
    }

    private float[] uniform(int n, double low, double high) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(low, high);
        }
        return a;
    }
}
