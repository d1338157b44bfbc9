package io.hps.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {

    @TempDir
    Path dir;

    private static ModelConfig model(String hpsConfig) {
        return new ModelConfig(1, "dlrm", 3, List.of(8, 4), List.of(6, 1), "dot",
                List.of(new ModelConfig.Table("t0", 100, 4, "sparse/t0"), new ModelConfig.Table("t1", 7, 4, "sparse/t1")),
                "dense.safetensors", hpsConfig, 512, Optional.of(new ModelConfig.Generator(0.5, 7)));
    }

    private static String ps(String names, String dims, String sparse, int maxBatch) {
        return """
                {"supportlonglong": true,
                 "volatile_db": {"type": "parallel_hash_map", "num_partitions": 4, "future_knob": 1},
                 "models": [
                  {"model": "other", "sparse_files": ["x"], "deployed_device_list": [0],
                   "default_value_for_each_table": [0], "maxnum_catfeature_query_per_table_per_sample": [1],
                   "embedding_vecsize_per_table": [2]},
                  {"model": "dlrm", "sparse_files": %s, "deployed_device_list": [0], "max_batch_size": %d,
                   "default_value_for_each_table": [0, 0], "maxnum_catfeature_query_per_table_per_sample": [1, 1],
                   "embedding_vecsize_per_table": %s, "embedding_table_names": %s}]}
                """.formatted(sparse, maxBatch, dims, names);
    }

    private void write(ModelConfig model, String psPath, String psJson) throws IOException {
        ModelConfigCodec.write(model, dir.resolve("model.json"));
        Path ps = dir.resolve(psPath);
        Files.createDirectories(ps.getParent());
        Files.writeString(ps, psJson);
    }

    @Test
    void shouldOpenConsistentDirectory() throws IOException {
        write(model("ps.json"), "ps.json", ps("[\"t0\", \"t1\"]", "[4, 4]", "[\"sparse/t0\", \"sparse/t1\"]", 1024));

        ModelDirectory opened = ModelDirectory.open(dir);

        Path root = dir.toAbsolutePath();
        assertThat(opened.directory()).isEqualTo(root);
        assertThat(opened.config().name()).isEqualTo("dlrm");
        assertThat(opened.architecture().tableCount()).isEqualTo(2);
        assertThat(opened.hps().model()).isEqualTo("dlrm");
        assertThat(opened.hps().maxBatchSize()).isEqualTo(1024);
        assertThat(opened.psConfig().volatileDb().numPartitions()).isEqualTo(4);
        assertThat(opened.sparseTables()).containsExactly(root.resolve("sparse/t0"), root.resolve("sparse/t1"));
        assertThat(opened.denseWeights()).isEqualTo(root.resolve("dense.safetensors"));
        assertThat(opened.psConfigPath()).isEqualTo(root.resolve("ps.json"));
        assertThat(opened.issues()).extracting(ConfigIssue::path).containsExactly("volatile_db.future_knob");
    }

    @Test
    void shouldOpenDirectoryWrittenFromModelConfigAlone() {
        ModelConfig config = model("ps.json");
        ModelConfigCodec.write(config, dir.resolve("model.json"));
        ModelConfigFile modelFile = ModelConfigCodec.read(dir.resolve("model.json"));
        PsConfigCodec.write(PsConfig.of(List.of(ModelHpsConfig.forModel(modelFile))), dir.resolve("ps.json"));

        ModelDirectory opened = ModelDirectory.open(dir);

        assertThat(opened.hps().embeddingTableNames()).containsExactly("t0", "t1");
        assertThat(opened.hps().maxnumCatfeatureQueryPerTablePerSample()).containsExactly(1, 1);
        assertThat(opened.hps().maxBatchSize()).isEqualTo(512);
        assertThat(opened.hps().sparseFiles()).isEqualTo(opened.sparseTables());
        assertThat(opened.issues()).isEmpty();
    }

    @Test
    void shouldResolveEachFileAgainstItsOwnDirectory() throws IOException {
        write(model("hps/ps.json"), "hps/ps.json",
                ps("[\"t0\", \"t1\"]", "[4, 4]", "[\"../sparse/t0\", \"../sparse/t1\"]", 512));

        ModelDirectory opened = ModelDirectory.open(dir);

        assertThat(opened.hps().sparseFiles()).isEqualTo(opened.sparseTables());
        assertThat(opened.psConfigPath()).isEqualTo(dir.toAbsolutePath().resolve("hps/ps.json"));
    }

    @Test
    void shouldRejectMissingModelEntry() throws IOException {
        write(model("ps.json"), "ps.json", ps("[\"t0\", \"t1\"]", "[4, 4]", "[\"sparse/t0\", \"sparse/t1\"]", 512)
                .replace("\"model\": \"dlrm\"", "\"model\": \"dlrm-v2\""));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).isInstanceOf(ConfigException.class)
                .hasMessage("ps.json: models has no entry for model.json name \"dlrm\": models=[other, dlrm-v2]");
    }

    @Test
    void shouldRejectTableCountMismatch() throws IOException {
        write(model("ps.json"), "ps.json", ps("[\"t0\"]", "[4]", "[\"sparse/t0\"]", 512)
                .replace("[0, 0]", "[0]").replace("[1, 1]", "[1]"));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).isInstanceOf(ConfigException.class)
                .hasMessage("ps.json: models[1].embedding_vecsize_per_table must have one entry per model.json table"
                        + " (2): length=1");
    }

    @Test
    void shouldRejectTableNameMismatch() throws IOException {
        write(model("ps.json"), "ps.json", ps("[\"t0\", \"t2\"]", "[4, 4]", "[\"sparse/t0\", \"sparse/t1\"]", 512));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).isInstanceOf(ConfigException.class)
                .hasMessage("ps.json: models[1].embedding_table_names[1] must equal model.json tables[1].name \"t1\":"
                        + " embedding_table_names[1]=t2");
    }

    @Test
    void shouldRejectDimensionMismatch() throws IOException {
        write(model("ps.json"), "ps.json", ps("[\"t0\", \"t1\"]", "[4, 8]", "[\"sparse/t0\", \"sparse/t1\"]", 512));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).isInstanceOf(ConfigException.class)
                .hasMessage("ps.json: models[1].embedding_vecsize_per_table[1] must equal model.json tables[1].dim 4:"
                        + " embedding_vecsize_per_table[1]=8");
    }

    @Test
    void shouldRejectSparseDirectoryMismatch() throws IOException {
        write(model("ps.json"), "ps.json", ps("[\"t0\", \"t1\"]", "[4, 4]", "[\"sparse/t0\", \"other/t1\"]", 512));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ps.json: models[1].sparse_files[1] must name the same directory as model.json"
                        + " tables[1].sparse_file ")
                .hasMessageEndingWith("other/t1");
    }

    @Test
    void shouldRejectSmallerHpsBatchThanModelBatch() throws IOException {
        write(model("ps.json"), "ps.json", ps("[\"t0\", \"t1\"]", "[4, 4]", "[\"sparse/t0\", \"sparse/t1\"]", 64));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).isInstanceOf(ConfigException.class)
                .hasMessage("ps.json: models[1].max_batch_size must be >= model.json max_batch_size 512:"
                        + " max_batch_size=64");
    }

    @Test
    void shouldRejectMissingFiles() throws IOException {
        assertThatThrownBy(() -> ModelDirectory.open(dir)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("model.json not found: file=");

        ModelConfigCodec.write(model("ps.json"), dir.resolve("model.json"));
        assertThatThrownBy(() -> ModelDirectory.open(dir)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ps.json cannot be read: file=");
    }
}
