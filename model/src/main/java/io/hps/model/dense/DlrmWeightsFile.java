package io.hps.model.dense;

import io.hps.model.DlrmArchitecture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Saves and loads the dense part of a DLRM ({@link DlrmWeights}) as one safetensors file.
 *
 * <p>Tensor names and shapes (all F32, row-major, PyTorch {@code nn.Linear} layout), for layer
 * index {@code i} counted from 0 in each MLP:
 * <pre>
 * bottom_mlp.&lt;i&gt;.weight  [out, in]   in = dense features for i = 0, else the previous width
 * bottom_mlp.&lt;i&gt;.bias    [out]
 * top_mlp.&lt;i&gt;.weight     [out, in]   in = interaction output width for i = 0, else the previous width
 * top_mlp.&lt;i&gt;.bias       [out]
 * </pre>
 * The {@code __metadata__} map records {@code format=hps.dlrm.dense}, {@code format_version=1},
 * {@code dense_features}, {@code bottom_mlp} and {@code top_mlp} (comma-separated widths) for people
 * inspecting the file; loading trusts the tensors, not the metadata. Loading requires exactly these
 * tensors with exactly these shapes for the given architecture.
 */
public final class DlrmWeightsFile {

    /** {@code format} metadata value. */
    public static final String FORMAT = "hps.dlrm.dense";
    static final String BOTTOM = "bottom_mlp";
    static final String TOP = "top_mlp";

    private DlrmWeightsFile() {
    }

    /** Name of the weight tensor of layer {@code layer} of {@code mlp} ({@code bottom_mlp} or {@code top_mlp}). */
    public static String weightName(String mlp, int layer) {
        return mlp + "." + layer + ".weight";
    }

    /** Name of the bias tensor of layer {@code layer} of {@code mlp} ({@code bottom_mlp} or {@code top_mlp}). */
    public static String biasName(String mlp, int layer) {
        return mlp + "." + layer + ".bias";
    }

    /** Writes {@code weights} to {@code file}, replacing it. */
    public static void save(DlrmWeights weights, Path file) throws IOException {
        DlrmArchitecture a = weights.architecture();
        SafetensorsWriter writer = new SafetensorsWriter()
                .metadata("format", FORMAT)
                .metadata("format_version", "1")
                .metadata("dense_features", Integer.toString(a.denseFeatures()))
                .metadata(BOTTOM, widths(a.bottomMlp()))
                .metadata(TOP, widths(a.topMlp()));
        addLayers(writer, BOTTOM, weights.bottom());
        addLayers(writer, TOP, weights.top());
        writer.write(file);
    }

    private static String widths(int[] widths) {
        return Arrays.stream(widths).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static void addLayers(SafetensorsWriter writer, String mlp, List<DenseLayer> layers) {
        for (int i = 0; i < layers.size(); i++) {
            DenseLayer l = layers.get(i);
            writer.addF32(weightName(mlp, i), new long[] {l.outputs(), l.inputs()}, l.weight());
            writer.addF32(biasName(mlp, i), new long[] {l.outputs()}, l.bias());
        }
    }

    /**
     * Reads the dense weights of {@code architecture} from {@code file}.
     *
     * @throws SafetensorsFormatException when the file is not valid safetensors
     * @throws WeightsMismatchException   when a tensor is missing, unexpected, not F32 or of the wrong shape
     */
    public static DlrmWeights load(Path file, DlrmArchitecture architecture) throws IOException {
        try (Safetensors st = Safetensors.open(file)) {
            Set<String> expected = new HashSet<>();
            List<DenseLayer> bottom = layers(st, BOTTOM, architecture.denseFeatures(), architecture.bottomMlp(), expected);
            List<DenseLayer> top = layers(st, TOP, architecture.topInputWidth(), architecture.topMlp(), expected);
            for (String name : st.tensors().keySet()) {
                if (!expected.contains(name)) {
                    throw new WeightsMismatchException("unexpected tensor in dense weights: file=" + file
                            + " tensor=" + name);
                }
            }
            return new DlrmWeights(architecture, bottom, top);
        }
    }

    private static List<DenseLayer> layers(Safetensors st, String mlp, int inputs, int[] widths, Set<String> names)
            throws WeightsMismatchException {
        List<DenseLayer> layers = new ArrayList<>(widths.length);
        int in = inputs;
        for (int i = 0; i < widths.length; i++) {
            String weight = weightName(mlp, i);
            String bias = biasName(mlp, i);
            names.add(weight);
            names.add(bias);
            layers.add(new DenseLayer(in, widths[i], tensor(st, weight, widths[i], in), tensor(st, bias, widths[i])));
            in = widths[i];
        }
        return layers;
    }

    private static float[] tensor(Safetensors st, String name, long... shape) throws WeightsMismatchException {
        TensorInfo info = st.tensor(name).orElseThrow(() -> new WeightsMismatchException(
                "missing tensor in dense weights: file=" + st.file() + " tensor=" + name
                        + " expectedShape=" + Arrays.toString(shape)));
        List<Long> expected = Arrays.stream(shape).boxed().toList();
        if (info.dtype() != Dtype.F32 || !info.shape().equals(expected)) {
            throw new WeightsMismatchException("dense weight tensor has wrong dtype or shape: file=" + st.file()
                    + " tensor=" + name + " dtype=" + info.dtype() + " shape=" + info.shape()
                    + " expectedDtype=F32 expectedShape=" + expected);
        }
        return st.floats(name);
    }
}
