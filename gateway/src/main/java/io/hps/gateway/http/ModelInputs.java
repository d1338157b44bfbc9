package io.hps.gateway.http;

import io.hps.gateway.repository.KeyPolicy;
import io.hps.gateway.repository.ModelKind;
import io.hps.gateway.repository.ServedModel;
import io.hps.gateway.tensor.Datatype;
import io.hps.gateway.tensor.InferenceRequest;
import io.hps.gateway.tensor.InputTensor;
import io.hps.gateway.tensor.RejectedRequestException;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The inputs and outputs each model kind takes, and the checks of a request against them: names
 * (missing, extra), datatypes, shapes, batch limits and, with {@code key_policy: reject}, key
 * ranges. Every failure is a 400 naming the input (and sample, table and key for keys).
 */
final class ModelInputs {
    static final String DENSE = "dense";
    static final String CATEGORICAL = "categorical";
    static final String SCORE = "output";
    static final String KEYS = "KEYS";
    static final String NUMKEYS = "NUMKEYS";
    static final String VECTORS = "OUTPUT0";

    private ModelInputs() {
    }

    /** Input metadata: name, datatype, shape with -1 for variable dimensions. */
    record Spec(String name, Datatype datatype, long[] shape) {
    }

    static List<Spec> inputs(ServedModel model) {
        return model.kind() == ModelKind.DLRM
                ? List.of(new Spec(DENSE, Datatype.FP32, new long[] {-1, model.denseFeatures()}),
                        new Spec(CATEGORICAL, Datatype.INT64, new long[] {-1, model.tableCount()}))
                : List.of(new Spec(KEYS, Datatype.INT64, new long[] {-1}),
                        new Spec(NUMKEYS, Datatype.INT32, new long[] {model.tableCount()}));
    }

    static List<Spec> outputs(ServedModel model) {
        return model.kind() == ModelKind.DLRM
                ? List.of(new Spec(SCORE, Datatype.FP32, new long[] {-1, 1}))
                : List.of(new Spec(VECTORS, Datatype.FP32, new long[] {-1}));
    }

    /** Checks names, datatypes and requested outputs; shapes are checked per kind. */
    static void checkNames(ServedModel model, InferenceRequest request) {
        List<Spec> inputs = inputs(model);
        Set<String> names = Set.copyOf(inputs.stream().map(Spec::name).toList());
        for (InputTensor input : request.inputs()) {
            require(names.contains(input.name()), "unexpected input " + input.name() + ": model " + model.name()
                    + " takes " + String.join(", ", inputs.stream().map(Spec::name).toList()));
        }
        for (Spec spec : inputs) {
            InputTensor input = request.input(spec.name()).orElseThrow(() -> RejectedRequestException.badRequest(
                    "missing input " + spec.name() + ": model " + model.name() + " takes " + spec.name() + " "
                            + spec.datatype() + " " + Arrays.toString(spec.shape())));
            require(input.datatype() == spec.datatype(), "input " + spec.name() + ": datatype " + input.datatype()
                    + " does not match the model's " + spec.datatype());
        }
        String output = outputs(model).getFirst().name();
        for (String requested : request.outputs().keySet()) {
            require(requested.equals(output), "unknown output " + requested + ": model " + model.name()
                    + " has output " + output);
        }
    }

    /** Samples of a DLRM request after checking {@code dense} [B, D] and {@code categorical} [B, T]. */
    static int dlrmBatch(ServedModel model, InferenceRequest request) {
        InputTensor dense = request.input(DENSE).orElseThrow();
        InputTensor categorical = request.input(CATEGORICAL).orElseThrow();
        requireMatrix(dense, model.denseFeatures());
        requireMatrix(categorical, model.tableCount());
        require(dense.shape()[0] == categorical.shape()[0], "inputs dense and categorical differ in batch size: "
                + dense.shapeText() + " vs " + categorical.shapeText());
        long batch = dense.shape()[0];
        require(batch >= 1 && batch <= model.maxBatchSize(), "batch size " + batch + " is outside [1, "
                + model.maxBatchSize() + "] of model " + model.name());
        if (model.keyPolicy() == KeyPolicy.REJECT) {
            checkSampleMajorKeys(model, categorical.data(), (int) batch);
        }
        return (int) batch;
    }

    /** Keys per table of an embedding request after checking {@code KEYS} and {@code NUMKEYS}. */
    static int[] embeddingCounts(ServedModel model, InferenceRequest request) {
        InputTensor keys = request.input(KEYS).orElseThrow();
        InputTensor numKeys = request.input(NUMKEYS).orElseThrow();
        requireVector(keys);
        requireVector(numKeys);
        require(numKeys.elementCount() == model.tableCount(), "input NUMKEYS: " + numKeys.elementCount()
                + " counts for the " + model.tableCount() + " tables of model " + model.name());
        int[] counts = new int[model.tableCount()];
        long total = 0;
        ByteBuf data = numKeys.data();
        for (int t = 0; t < counts.length; t++) {
            counts[t] = data.getIntLE(data.readerIndex() + 4 * t);
            require(counts[t] >= 0, "input NUMKEYS: count of table " + t + " is negative: " + counts[t]);
            total += counts[t];
        }
        require(total == keys.elementCount(), "input NUMKEYS adds up to " + total + " keys but KEYS has "
                + keys.elementCount());
        require(total >= 1 && total <= model.maxBatchSize(), "key count " + total + " is outside [1, "
                + model.maxBatchSize() + "] of model " + model.name());
        if (model.keyPolicy() == KeyPolicy.REJECT) {
            checkTableMajorKeys(model, keys.data(), counts);
        }
        return counts;
    }

    private static void checkSampleMajorKeys(ServedModel model, ByteBuf keys, int batch) {
        int tables = model.tableCount();
        for (int s = 0; s < batch; s++) {
            for (int t = 0; t < tables; t++) {
                long key = keys.getLongLE(keys.readerIndex() + 8 * (s * tables + t));
                requireKey(model, CATEGORICAL, key, t, "sample " + s);
            }
        }
    }

    private static void checkTableMajorKeys(ServedModel model, ByteBuf keys, int[] counts) {
        int index = 0;
        for (int t = 0; t < counts.length; t++) {
            for (int k = 0; k < counts[t]; k++, index++) {
                requireKey(model, KEYS, keys.getLongLE(keys.readerIndex() + 8 * index), t, "key " + index);
            }
        }
    }

    private static void requireKey(ServedModel model, String input, long key, int table, String where) {
        long rows = model.tables().get(table).rows();
        require(key >= 0 && key < rows, "input " + input + ": " + where + ", table " + table + " ("
                + model.tables().get(table).name() + "): key " + key + " is outside [0, " + rows + ")");
    }

    private static void requireMatrix(InputTensor input, int width) {
        require(input.shape().length == 2 && input.shape()[1] == width, "input " + input.name() + ": shape "
                + input.shapeText() + " must be [batch, " + width + "]");
    }

    private static void requireVector(InputTensor input) {
        long[] shape = input.shape();
        require(shape.length == 1 || shape.length == 2 && shape[0] == 1, "input " + input.name() + ": shape "
                + input.shapeText() + " must be [n] or [1, n]");
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw RejectedRequestException.badRequest(message);
        }
    }
}
