package io.hps.model.config;

import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The contents of a model directory's {@code model.json}: the DLRM shape, its embedding tables and
 * where the artifacts lie. Paths are kept as written, relative to the directory holding
 * {@code model.json}; {@link ModelConfigFile} resolves them. Validation failures are
 * {@link ConfigException}s whose path uses the JSON field names, e.g.
 * {@code tables[3].dim must equal bottom_mlp output 128: dim=64}.
 *
 * <pre>{@code
 * {"format_version": 1, "name": "dlrm", "dense_features": 13, "bottom_mlp": [512,256,128],
 *  "top_mlp": [1024,1024,512,256,1], "interaction": "dot",
 *  "tables": [{"name": "t0", "rows": 7913, "dim": 128, "sparse_file": "sparse/t0"}, ...],
 *  "dense_weights": "dense.safetensors", "hps_config": "ps.json", "max_batch_size": 16384,
 *  "generator": {"scale": 0.001, "seed": 42}}
 * }</pre>
 *
 * @param formatVersion  {@code format_version}, must be {@value #FORMAT_VERSION}
 * @param name           {@code name}, the model name; also the {@code model} entry looked up in ps.json
 * @param denseFeatures  {@code dense_features}, numerical inputs per sample
 * @param bottomMlp      {@code bottom_mlp} layer widths
 * @param topMlp         {@code top_mlp} layer widths, the last one 1
 * @param interaction    {@code interaction}, only {@value #DOT_INTERACTION}
 * @param tables         {@code tables}, in input order
 * @param denseWeights   {@code dense_weights}, the safetensors file of the MLPs, relative path
 * @param hpsConfig      {@code hps_config}, the HugeCTR-style ps.json, relative path
 * @param maxBatchSize   {@code max_batch_size}, samples per request at most
 * @param generator      {@code generator}, present when the model was synthesised
 */
public record ModelConfig(int formatVersion, String name, int denseFeatures, List<Integer> bottomMlp,
        List<Integer> topMlp, String interaction, List<Table> tables, String denseWeights, String hpsConfig,
        int maxBatchSize, Optional<Generator> generator) {

    public static final int FORMAT_VERSION = 1;
    public static final String DOT_INTERACTION = "dot";

    public ModelConfig {
        bottomMlp = List.copyOf(bottomMlp);
        topMlp = List.copyOf(topMlp);
        tables = List.copyOf(tables);
        require(formatVersion == FORMAT_VERSION, "format_version", "must be " + FORMAT_VERSION, formatVersion);
        requireText("name", name);
        require(denseFeatures >= 1, "dense_features", "must be >= 1", denseFeatures);
        requireWidths("bottom_mlp", bottomMlp);
        requireWidths("top_mlp", topMlp);
        require(topMlp.getLast() == 1, "top_mlp", "must end with width 1", topMlp);
        require(DOT_INTERACTION.equals(interaction), "interaction", "must be \"dot\"", interaction);
        requireTables(tables, bottomMlp.getLast());
        requireText("dense_weights", denseWeights);
        requireText("hps_config", hpsConfig);
        require(maxBatchSize >= 1, "max_batch_size", "must be >= 1", maxBatchSize);
    }

    /**
     * One embedding table.
     *
     * @param name       {@code name}, as in ps.json's {@code embedding_table_names}
     * @param rows       {@code rows}, distinct keys
     * @param dim        {@code dim}, floats per vector; equals the bottom MLP output width
     * @param sparseFile {@code sparse_file}, HugeCTR sparse table directory, relative path
     */
    public record Table(String name, long rows, int dim, String sparseFile) {
        public Table {
            requireText("name", name);
            require(rows >= 1, "rows", "must be >= 1", rows);
            require(dim >= 1, "dim", "must be >= 1", dim);
            requireText("sparse_file", sparseFile);
        }

        public TableSpec spec() {
            return new TableSpec(name, rows, dim);
        }
    }

    /**
     * How a synthetic model was made, so that it can be made again.
     *
     * @param scale {@code scale}, fraction of the Criteo cardinalities, in (0, 1]
     * @param seed  {@code seed} of the generator
     */
    public record Generator(double scale, long seed) {
        public Generator {
            require(scale > 0 && scale <= 1, "scale", "must be in (0, 1]", scale);
        }
    }

    /**
     * The config of a model of shape {@code architecture}, its table {@code t} stored in
     * {@code sparseDirectory/<t.name>}.
     */
    public static ModelConfig of(String name, DlrmArchitecture architecture, String sparseDirectory,
            String denseWeights, String hpsConfig, int maxBatchSize, Optional<Generator> generator) {
        List<Table> tables = architecture.tables().stream()
                .map(t -> new Table(t.name(), t.rows(), t.dimension(), sparseDirectory + "/" + t.name())).toList();
        return new ModelConfig(FORMAT_VERSION, name, architecture.denseFeatures(), toList(architecture.bottomMlp()),
                toList(architecture.topMlp()), DOT_INTERACTION, tables, denseWeights, hpsConfig, maxBatchSize, generator);
    }

    /** The DLRM shape this file describes. */
    public DlrmArchitecture architecture() {
        List<TableSpec> specs = tables.stream().map(Table::spec).toList();
        return new DlrmArchitecture(denseFeatures, specs, toArray(bottomMlp), toArray(topMlp));
    }

    private static List<Integer> toList(int[] widths) {
        return Arrays.stream(widths).boxed().toList();
    }

    private static int[] toArray(List<Integer> widths) {
        return widths.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void requireTables(List<Table> tables, int bottomOutput) {
        require(!tables.isEmpty(), "tables", "must not be empty", tables);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tables.size(); i++) {
            Table t = tables.get(i);
            if (t.dim() != bottomOutput) {
                throw new ConfigException("tables[" + i + "].dim",
                        "must equal bottom_mlp output " + bottomOutput + ": dim=" + t.dim());
            }
            if (!names.add(t.name())) {
                throw new ConfigException("tables[" + i + "].name", "must be unique: name=" + t.name());
            }
        }
    }

    private static void requireWidths(String field, List<Integer> widths) {
        require(!widths.isEmpty(), field, "must not be empty", widths);
        for (int i = 0; i < widths.size(); i++) {
            require(widths.get(i) >= 1, field + "[" + i + "]", "must be >= 1", widths.get(i));
        }
    }

    private static void requireText(String field, String value) {
        require(value != null && !value.isBlank(), field, "must not be blank", value);
    }

    private static void require(boolean ok, String field, String rule, Object value) {
        Checks.require(ok, field, rule, value);
    }
}
