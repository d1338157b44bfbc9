package io.hps.model.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes {@code model.json} (see {@link ModelConfig} for the schema). Reading is strict
 * about types and invariants ({@link ConfigException} naming file, field and value) and lenient
 * about extra fields, which come back as {@link ConfigIssue}s. Writing produces exactly the
 * fields that reading consumes, so {@code read(write(c)) == c}. Stateless and thread-safe.
 */
public final class ModelConfigCodec {

    /** The conventional file name inside a model directory. */
    public static final String FILE_NAME = "model.json";

    private ModelConfigCodec() {
    }

    /** Reads {@code file}, resolving relative paths against its directory. */
    public static ModelConfigFile read(Path file) {
        String source = file.getFileName().toString();
        Path directory = file.toAbsolutePath().getParent();
        return decode(JsonFields.parse(file, source), source, directory);
    }

    /** Parses JSON text as the {@code model.json} of {@code directory}. */
    public static ModelConfigFile parse(String json, Path directory) {
        return decode(JsonFields.parse(json, FILE_NAME), FILE_NAME, directory);
    }

    /** The JSON text of {@code config}, pretty-printed. */
    public static String toJson(ModelConfig config) {
        return JsonFields.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(encode(config));
    }

    /** Writes {@code config} to {@code file}, replacing it. */
    public static void write(ModelConfig config, Path file) {
        try {
            Files.writeString(file, toJson(config) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model config: file=" + file, e);
        }
    }

    private static ModelConfigFile decode(JsonNode node, String source, Path directory) {
        List<ConfigIssue> issues = new ArrayList<>();
        try {
            ModelConfig config = decodeRoot(JsonFields.root(node, source, issues));
            return new ModelConfigFile(directory, config, issues);
        } catch (ConfigException e) {
            throw e.in(source);
        }
    }

    private static ModelConfig decodeRoot(JsonFields json) {
        int formatVersion = json.requiredInteger("format_version");
        String name = json.requiredString("name");
        int denseFeatures = json.requiredInteger("dense_features");
        List<Integer> bottom = json.requiredIntegers("bottom_mlp");
        List<Integer> top = json.requiredIntegers("top_mlp");
        String interaction = json.string("interaction", ModelConfig.DOT_INTERACTION);
        List<ModelConfig.Table> tables = json.objects("tables").stream().map(ModelConfigCodec::decodeTable).toList();
        String denseWeights = json.requiredString("dense_weights");
        String hpsConfig = json.string("hps_config", PsConfigCodec.FILE_NAME);
        int maxBatchSize = json.requiredInteger("max_batch_size");
        Optional<ModelConfig.Generator> generator = json.object("generator").map(ModelConfigCodec::decodeGenerator);
        json.finish();
        return json.build(() -> new ModelConfig(formatVersion, name, denseFeatures, bottom, top, interaction, tables,
                denseWeights, hpsConfig, maxBatchSize, generator));
    }

    private static ModelConfig.Table decodeTable(JsonFields json) {
        String name = json.requiredString("name");
        long rows = json.requiredLong("rows");
        int dim = json.requiredInteger("dim");
        String sparseFile = json.requiredString("sparse_file");
        json.finish();
        return json.build(() -> new ModelConfig.Table(name, rows, dim, sparseFile));
    }

    private static ModelConfig.Generator decodeGenerator(JsonFields json) {
        double scale = json.number("scale", 1.0);
        long seed = json.requiredLong("seed");
        json.finish();
        return json.build(() -> new ModelConfig.Generator(scale, seed));
    }

    private static ObjectNode encode(ModelConfig c) {
        ObjectNode root = JsonFields.MAPPER.createObjectNode();
        root.put("format_version", c.formatVersion());
        root.put("name", c.name());
        root.put("dense_features", c.denseFeatures());
        c.bottomMlp().forEach(root.putArray("bottom_mlp")::add);
        c.topMlp().forEach(root.putArray("top_mlp")::add);
        root.put("interaction", c.interaction());
        ArrayNode tables = root.putArray("tables");
        for (ModelConfig.Table t : c.tables()) {
            tables.addObject().put("name", t.name()).put("rows", t.rows()).put("dim", t.dim())
                    .put("sparse_file", t.sparseFile());
        }
        root.put("dense_weights", c.denseWeights());
        root.put("hps_config", c.hpsConfig());
        root.put("max_batch_size", c.maxBatchSize());
        c.generator().ifPresent(g -> root.putObject("generator").put("scale", g.scale()).put("seed", g.seed()));
        return root;
    }
}
