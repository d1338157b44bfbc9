package io.hps.dense.cpu;

import static io.hps.dense.cpu.MicroKernel.LANES;
import static io.hps.dense.cpu.MicroKernel.STRIDE;
import static org.assertj.core.api.Assertions.assertThat;

import io.hps.model.dense.DenseLayer;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.assertj.core.data.Offset;

class PackedLayerTest {

    /**
     * Every width of a chunk (one to nine vectors with AVX-512: all three kernels), inputs on both
     * sides of the cache block, outputs not a multiple of the panel.
     */
    @Property(tries = 200)
    void shouldComputeReluOfAffineMapForEverySampleAndOutput(
            @ForAll @IntRange(min = 1, max = 300) int inputs,
            @ForAll @IntRange(min = 1, max = 40) int outputs,
            @ForAll @IntRange(min = 1, max = 9) int vectors,
            @ForAll boolean relu,
            @ForAll long seed) {
        Random random = new Random(seed);
        float[] w = uniform(random, inputs * outputs);
        float[] b = uniform(random, outputs);
        PackedLayer layer = new PackedLayer(new DenseLayer(inputs, outputs, w, b), relu);
        int width = Math.min(vectors, MicroKernel.CHUNK_SAMPLES / LANES) * LANES;
        float[] x = uniform(random, inputs * STRIDE);
        int yAt = ChunkScratch.secondOffset(x.length);
        float[] act = Arrays.copyOf(x, yAt + layer.paddedOutputs() * STRIDE);

        layer.apply(act, 0, yAt, width);
        float[] y = Arrays.copyOfRange(act, yAt, act.length);

        for (int n = 0; n < outputs; n++) {
            for (int m = 0; m < width; m++) {
                double expected = b[n];
                for (int k = 0; k < inputs; k++) {
                    expected += (double) w[n * inputs + k] * x[k * STRIDE + m];
                }
                expected = relu ? Math.max(0, expected) : expected;
                assertThat((double) y[n * STRIDE + m])
                        .as("output %d sample %d", n, m)
                        .isCloseTo(expected, Offset.offset(1e-5 * (1 + Math.abs(expected))));
            }
        }
        for (int n = outputs; n < layer.paddedOutputs(); n++) {
            for (int m = 0; m < width; m++) {
                assertThat(y[n * STRIDE + m]).as("padding output %d sample %d", n, m).isZero();
            }
        }
    }

    private static float[] uniform(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = 2f * random.nextFloat() - 1f;
        }
        return a;
    }
}
