package io.hps.model.gen;

import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two JSON files of a generated model: {@code model.json} (this project's model description)
 * and {@code ps.json} (HugeCTR's HPS configuration, paths relative to its directory).
 */
final class ModelDescriptors {

    static final String SPARSE_DIRECTORY = "sparse";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ModelDescriptors() {
    }

    /** Path of the sparse files of {@code table}, relative to the model directory. */
    static String sparseFile(TableSpec table) {
        return SPARSE_DIRECTORY + "/" + table.name();
    }

    static void write(GeneratorSettings settings, DlrmArchitecture architecture) throws IOException {
        Path dir = settings.outputDirectory();
        writeJson(dir.resolve(SyntheticModelGenerator.MODEL_JSON), modelJson(settings, architecture));
        writeJson(dir.resolve(SyntheticModelGenerator.PS_JSON), psJson(settings, architecture));
    }

    private static void writeJson(Path file, ObjectNode node) throws IOException {
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
    }

    static ObjectNode modelJson(GeneratorSettings settings, DlrmArchitecture architecture) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", 1);
        root.put("name", settings.name());
        root.put("dense_features", architecture.denseFeatures());
        ints(root.putArray("bottom_mlp"), architecture.bottomMlp());
        ints(root.putArray("top_mlp"), architecture.topMlp());
        root.put("interaction", "dot");
        ArrayNode tables = root.putArray("tables");
        for (TableSpec t : architecture.tables()) {
            tables.addObject().put("name", t.name()).put("rows", t.rows()).put("dim", t.dimension())
                    .put("sparse_file", sparseFile(t));
        }
        root.put("dense_weights", SyntheticModelGenerator.DENSE_WEIGHTS);
        root.put("hps_config", SyntheticModelGenerator.PS_JSON);
        root.put("max_batch_size", settings.maxBatchSize());
        root.putObject("generator").put("scale", settings.scale()).put("seed", settings.seed());
        return root;
    }

    static ObjectNode psJson(GeneratorSettings settings, DlrmArchitecture architecture) {
        ObjectNode root = JSON.createObjectNode();
        root.put("supportlonglong", true);
        root.putObject("volatile_db").put("type", "hash_map").put("num_partitions", 4).put("initial_cache_rate", 1.0)
                .put("overflow_margin", architecture.tables().stream().mapToLong(TableSpec::rows).sum())
                .put("overflow_policy", "evict_random");
        root.putObject("persistent_db").put("type", "disabled");
        psModel(root.putArray("models").addObject(), settings, architecture.tables());
        return root;
    }

    private static void psModel(ObjectNode model, GeneratorSettings settings, List<TableSpec> tables) {
        model.put("model", settings.name());
        ArrayNode sparseFiles = model.putArray("sparse_files");
        ArrayNode names = model.putArray("embedding_table_names");
        ArrayNode dims = model.putArray("embedding_vecsize_per_table");
        ArrayNode perSample = model.putArray("maxnum_catfeature_query_per_table_per_sample");
        ArrayNode defaults = model.putArray("default_value_for_each_table");
        for (TableSpec t : tables) {
            sparseFiles.add(sparseFile(t));
            names.add(t.name());
            dims.add(t.dimension());
            perSample.add(1);
            defaults.add(0.0);
        }
        model.putArray("deployed_device_list").add(0);
        model.put("max_batch_size", settings.maxBatchSize());
        model.put("gpucache", true).put("gpucacheper", 0.5).put("hit_rate_threshold", 0.9)
                .put("embedding_cache_type", "dynamic").put("use_static_table", false);
    }

    private static void ints(ArrayNode array, int[] values) {
        Arrays.stream(values).forEach(array::add);
    }
}
