package io.hps.model.config;

import io.hps.model.DlrmArchitecture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An opened model directory: {@code model.json}, the ps.json it names, and the model's entry in
 * that ps.json, checked against each other. The two files must agree on the model name, the table
 * names, dimensions and sparse directories (in order), and ps.json's {@code max_batch_size} must
 * cover model.json's. Opening reads only the two JSON files; the artifacts themselves are not
 * touched. Immutable and thread-safe.
 */
public final class ModelDirectory {

    private final ModelConfigFile model;
    private final PsConfigFile ps;
    private final ModelHpsConfig hps;
    private final int hpsIndex;

    private ModelDirectory(ModelConfigFile model, PsConfigFile ps, int hpsIndex) {
        this.model = model;
        this.ps = ps;
        this.hpsIndex = hpsIndex;
        this.hps = ps.config().models().get(hpsIndex);
    }

    /**
     * Opens {@code directory}/{@value ModelConfigCodec#FILE_NAME} and the ps.json it names.
     *
     * @throws ConfigException when a file is missing, malformed or invalid, or the two disagree
     */
    public static ModelDirectory open(Path directory) {
        Path modelFile = directory.resolve(ModelConfigCodec.FILE_NAME);
        if (!Files.isRegularFile(modelFile)) {
            throw ConfigException.ofFile(ModelConfigCodec.FILE_NAME, "not found: file=" + modelFile, null);
        }
        ModelConfigFile model = ModelConfigCodec.read(modelFile);
        PsConfigFile ps = PsConfigCodec.read(model.hpsConfig());
        ModelDirectory opened = new ModelDirectory(model, ps, entryIndex(model.config(), ps.config()));
        opened.checkConsistency();
        return opened;
    }

    /** Directory holding model.json. */
    public Path directory() {
        return model.directory();
    }

    public ModelConfig config() {
        return model.config();
    }

    public DlrmArchitecture architecture() {
        return model.config().architecture();
    }

    /** The whole ps.json, shared tier settings included. */
    public PsConfig psConfig() {
        return ps.config();
    }

    /** This model's entry in ps.json. */
    public ModelHpsConfig hps() {
        return hps;
    }

    /** Sparse table directories, one per table, in table order, absolute and normalised. */
    public List<Path> sparseTables() {
        return model.sparseFiles();
    }

    /** The safetensors file of the dense weights. */
    public Path denseWeights() {
        return model.denseWeights();
    }

    /** Path of the ps.json in use. */
    public Path psConfigPath() {
        return model.hpsConfig();
    }

    /** Non-fatal findings of both files, model.json's first; log them at start-up. */
    public List<ConfigIssue> issues() {
        List<ConfigIssue> all = new ArrayList<>(model.issues());
        all.addAll(ps.issues());
        return List.copyOf(all);
    }

    private static int entryIndex(ModelConfig config, PsConfig ps) {
        int index = ps.modelNames().indexOf(config.name());
        if (index < 0) {
            throw new ConfigException("models", "has no entry for model.json name \"" + config.name() + "\": models="
                    + ps.modelNames()).in(PsConfigCodec.FILE_NAME);
        }
        return index;
    }

    private void checkConsistency() {
        List<ModelConfig.Table> tables = model.config().tables();
        if (hps.tableCount() != tables.size()) {
            throw mismatch("embedding_vecsize_per_table", "must have one entry per model.json table ("
                    + tables.size() + "): length=" + hps.tableCount());
        }
        for (int i = 0; i < tables.size(); i++) {
            checkTable(i, tables.get(i));
        }
        if (hps.maxBatchSize() < model.config().maxBatchSize()) {
            throw mismatch("max_batch_size", "must be >= model.json max_batch_size " + model.config().maxBatchSize()
                    + ": max_batch_size=" + hps.maxBatchSize());
        }
    }

    private void checkTable(int i, ModelConfig.Table table) {
        String name = hps.embeddingTableNames().get(i);
        if (!name.equals(table.name())) {
            throw mismatch("embedding_table_names[" + i + "]", "must equal model.json tables[" + i + "].name \""
                    + table.name() + "\": embedding_table_names[" + i + "]=" + name);
        }
        int dim = hps.embeddingVecsizePerTable().get(i);
        if (dim != table.dim()) {
            throw mismatch("embedding_vecsize_per_table[" + i + "]", "must equal model.json tables[" + i + "].dim "
                    + table.dim() + ": embedding_vecsize_per_table[" + i + "]=" + dim);
        }
        Path expected = model.sparseFiles().get(i);
        Path found = hps.sparseFiles().get(i);
        if (!expected.equals(found)) {
            throw mismatch("sparse_files[" + i + "]", "must name the same directory as model.json tables[" + i
                    + "].sparse_file " + expected + ": sparse_files[" + i + "]=" + found);
        }
    }

    private ConfigException mismatch(String field, String problem) {
        return new ConfigException(field, problem).under("models[" + hpsIndex + "]").in(PsConfigCodec.FILE_NAME);
    }
}
