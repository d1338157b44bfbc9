package io.hps.store;

import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import io.hps.model.config.PsConfigCodec;
import io.hps.model.config.PsConfigFile;
import io.hps.model.gen.GeneratorSettings;
import io.hps.model.gen.ProgressListener;
import io.hps.model.gen.SyntheticModelGenerator;
import io.hps.model.sparse.SparseTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A small generated DLRM (scaled Criteo tables) on disk, and ps.json variants over its sparse
 * files, for tests that load real HugeCTR files.
 */
public final class TestModel {
    public static final String NAME = "dlrm";

    private final Path directory;
    private final DlrmArchitecture architecture;

    private TestModel(Path directory, DlrmArchitecture architecture) {
        this.directory = directory;
        this.architecture = architecture;
    }

    /** Generates the model (scale 0.0005, dimension 16: 16 K rows) under {@code root}. */
    public static TestModel generate(Path root) {
        return generate(root, 0.0005, 16);
    }

    public static TestModel generate(Path root, double scale, int dimension) {
        try {
            Path dir = root.resolve("model");
            var result = SyntheticModelGenerator.generate(
                    new GeneratorSettings(dir, NAME, scale, dimension, 7, 2, 1024), ProgressListener.NONE);
            return new TestModel(dir, result.architecture());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path directory() {
        return directory;
    }

    public List<TableSpec> tables() {
        return architecture.tables();
    }

    public Path sparseDir(int table) {
        return directory.resolve("sparse").resolve(tables().get(table).name());
    }

    /** The stored vector of row {@code row} of {@code table}, read straight from the sparse file. */
    public float[] vector(int table, long row) {
        try (SparseTable sparse = SparseTable.open(sparseDir(table), tables().get(table).dimension())) {
            return sparse.vector(row).toArray(ValueLayout.JAVA_FLOAT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key stored at {@code row} of {@code table}. */
    public long key(int table, long row) {
        try (SparseTable sparse = SparseTable.open(sparseDir(table), tables().get(table).dimension())) {
            return sparse.key(row);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A ps.json for this model.
     *
     * @param volatileDb  the {@code volatile_db} object, JSON
     * @param persistentDb the {@code persistent_db} object, JSON
     * @param modelExtra  extra fields of the model entry, JSON without braces (may be empty)
     */
    public PsConfigFile psConfig(String volatileDb, String persistentDb, String modelExtra) {
        return PsConfigCodec.read(psJson(volatileDb, persistentDb, modelExtra));
    }

    /** Writes the ps.json of {@link #psConfig} into the model directory and returns its path. */
    public Path psJson(String volatileDb, String persistentDb, String modelExtra) {
        int n = tables().size();
        String names = tables().stream().map(t -> '"' + t.name() + '"').collect(Collectors.joining(","));
        String sparse = tables().stream().map(t -> "\"sparse/" + t.name() + '"').collect(Collectors.joining(","));
        String dims = tables().stream().map(t -> String.valueOf(t.dimension())).collect(Collectors.joining(","));
        String ones = IntStream.range(0, n).mapToObj(i -> "1").collect(Collectors.joining(","));
        String defaults = IntStream.range(0, n).mapToObj(i -> String.valueOf(0.25f * (i + 1)))
                .collect(Collectors.joining(","));
        String json = """
                {"supportlonglong": true,
                 "volatile_db": %s,
                 "persistent_db": %s,
                 "models": [{"model": "%s", "sparse_files": [%s], "embedding_table_names": [%s],
                   "embedding_vecsize_per_table": [%s], "maxnum_catfeature_query_per_table_per_sample": [%s],
                   "default_value_for_each_table": [%s], "deployed_device_list": [0], "max_batch_size": 1024%s}]}
                """.formatted(volatileDb, persistentDb, NAME, sparse, names, dims, ones, defaults,
                modelExtra.isEmpty() ? "" : ", " + modelExtra);
        try {
            Path file = directory.resolve("ps-" + Integer.toHexString(json.hashCode()) + ".json");
            Files.writeString(file, json);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default value of table {@code t} in {@link #psConfig}. */
    public static float defaultValue(int table) {
        return 0.25f * (table + 1);
    }

    /** Floats of row {@code row} of a packed float32 segment of {@code dimension} per row. */
    public static float[] row(MemorySegment segment, long row, int dimension) {
        return segment.asSlice(row * dimension * 4L, dimension * 4L).toArray(ValueLayout.JAVA_FLOAT);
    }
}
