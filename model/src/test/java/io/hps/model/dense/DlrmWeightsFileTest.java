package io.hps.model.dense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DlrmWeightsFileTest {

    static final DlrmArchitecture SMALL = new DlrmArchitecture(3,
            List.of(new TableSpec("t0", 10, 4), new TableSpec("t1", 5, 4)), new int[] {5, 4}, new int[] {6, 1});

    @TempDir
    Path dir;

    @Test
    void shouldRoundTripWeightsUnderTheDocumentedNames() throws IOException {
        DlrmWeights weights = randomWeights(SMALL, 1);
        Path file = dir.resolve("dense.safetensors");
        DlrmWeightsFile.save(weights, file);
        try (Safetensors st = Safetensors.open(file)) {
            assertThat(st.tensors().keySet()).containsExactly(
                    "bottom_mlp.0.weight", "bottom_mlp.0.bias", "bottom_mlp.1.weight", "bottom_mlp.1.bias",
                    "top_mlp.0.weight", "top_mlp.0.bias", "top_mlp.1.weight", "top_mlp.1.bias");
            assertThat(st.tensor("bottom_mlp.0.weight").orElseThrow().shape()).containsExactly(5L, 3L);
            assertThat(st.tensor("top_mlp.0.weight").orElseThrow().shape()).containsExactly(6L, (long) SMALL.topInputWidth());
            assertThat(st.tensor("top_mlp.1.bias").orElseThrow().shape()).containsExactly(1L);
            assertThat(st.metadata()).containsEntry("format", "hps.dlrm.dense").containsEntry("bottom_mlp", "5,4")
                    .containsEntry("top_mlp", "6,1").containsEntry("dense_features", "3");
        }
        DlrmWeights loaded = DlrmWeightsFile.load(file, SMALL);
        assertSameWeights(loaded, weights);
    }

    @Test
    void shouldRejectAnotherArchitectureNamingTheTensor() throws IOException {
        Path file = dir.resolve("dense.safetensors");
        DlrmWeightsFile.save(randomWeights(SMALL, 2), file);
        DlrmArchitecture wider = new DlrmArchitecture(3, SMALL.tables(), new int[] {7, 4}, new int[] {6, 1});
        assertThatThrownBy(() -> DlrmWeightsFile.load(file, wider))
                .isInstanceOf(WeightsMismatchException.class)
                .hasMessageContaining("tensor=bottom_mlp.0.weight").hasMessageContaining("shape=[5, 3]")
                .hasMessageContaining("expectedShape=[7, 3]");
        DlrmArchitecture deeper = new DlrmArchitecture(3, SMALL.tables(), new int[] {5, 4}, new int[] {6, 2, 1});
        assertThatThrownBy(() -> DlrmWeightsFile.load(file, deeper))
                .isInstanceOf(WeightsMismatchException.class).hasMessageContaining("tensor=top_mlp.1.weight");
        DlrmArchitecture shallower = new DlrmArchitecture(3, SMALL.tables(), new int[] {5, 4}, new int[] {1});
        assertThatThrownBy(() -> DlrmWeightsFile.load(file, shallower))
                .isInstanceOf(WeightsMismatchException.class).hasMessageContaining("tensor=top_mlp.0.weight");
    }

    @Test
    void shouldRejectMissingExtraAndNonFloatTensors() throws IOException {
        DlrmWeights w = randomWeights(SMALL, 3);
        Path missing = dir.resolve("missing.safetensors");
        writer(w, "top_mlp.1.bias").write(missing);
        assertThatThrownBy(() -> DlrmWeightsFile.load(missing, SMALL))
                .isInstanceOf(WeightsMismatchException.class).hasMessageContaining("missing tensor")
                .hasMessageContaining("tensor=top_mlp.1.bias");

        Path extra = dir.resolve("extra.safetensors");
        writer(w, "").addF32("interaction.scale", new long[] {1}, new float[1]).write(extra);
        assertThatThrownBy(() -> DlrmWeightsFile.load(extra, SMALL))
                .isInstanceOf(WeightsMismatchException.class).hasMessageContaining("tensor=interaction.scale");

        Path f64 = dir.resolve("f64.safetensors");
        writer(w, "top_mlp.1.bias").add("top_mlp.1.bias", Dtype.F64, new long[] {1}, MemorySegment.ofArray(new byte[8]))
                .write(f64);
        assertThatThrownBy(() -> DlrmWeightsFile.load(f64, SMALL))
                .isInstanceOf(WeightsMismatchException.class).hasMessageContaining("tensor=top_mlp.1.bias")
                .hasMessageContaining("dtype=F64");
    }

    private static SafetensorsWriter writer(DlrmWeights w, String skip) {
        SafetensorsWriter writer = new SafetensorsWriter();
        add(writer, "bottom_mlp", w.bottom(), skip);
        add(writer, "top_mlp", w.top(), skip);
        return writer;
    }

    private static void add(SafetensorsWriter writer, String mlp, List<DenseLayer> layers, String skip) {
        for (int i = 0; i < layers.size(); i++) {
            DenseLayer l = layers.get(i);
            if (!DlrmWeightsFile.weightName(mlp, i).equals(skip)) {
                writer.addF32(DlrmWeightsFile.weightName(mlp, i), new long[] {l.outputs(), l.inputs()}, l.weight());
            }
            if (!DlrmWeightsFile.biasName(mlp, i).equals(skip)) {
                writer.addF32(DlrmWeightsFile.biasName(mlp, i), new long[] {l.outputs()}, l.bias());
            }
        }
    }

    static DlrmWeights randomWeights(DlrmArchitecture a, long seed) {
        Random random = new Random(seed);
        return new DlrmWeights(a, layers(random, a.denseFeatures(), a.bottomMlp()), layers(random, a.topInputWidth(), a.topMlp()));
    }

    private static List<DenseLayer> layers(Random random, int inputs, int[] widths) {
        List<DenseLayer> layers = new ArrayList<>();
        int in = inputs;
        for (int out : widths) {
            float[] w = new float[in * out];
            float[] b = new float[out];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) random.nextGaussian();
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) random.nextGaussian();
            }
            layers.add(new DenseLayer(in, out, w, b));
            in = out;
        }
        return layers;
    }

    static void assertSameWeights(DlrmWeights actual, DlrmWeights expected) {
        assertThat(actual.architecture()).isEqualTo(expected.architecture());
        assertSameLayers(actual.bottom(), expected.bottom());
        assertSameLayers(actual.top(), expected.top());
    }

    private static void assertSameLayers(List<DenseLayer> actual, List<DenseLayer> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i).weight()).containsExactly(expected.get(i).weight());
            assertThat(actual.get(i).bias()).containsExactly(expected.get(i).bias());
        }
    }
}
