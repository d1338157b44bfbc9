package io.hps.gateway.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.model.gen.GeneratorSettings;
import io.hps.model.gen.ProgressListener;
import io.hps.model.gen.SyntheticModelGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading model repositories from real directories, with real model.json files. */
class ModelRepositoryTest {
    @TempDir
    static Path root;
    static Path modelJson;

    @BeforeAll
    static void generate() throws IOException {
        modelJson = SyntheticModelGenerator.generate(new GeneratorSettings(root.resolve("model"), "dlrm", 0.00002, 4,
                3, 1, 256), ProgressListener.NONE).modelJson();
    }

    private static Path repository(String name, String json) throws IOException {
        Path repository = Files.createTempDirectory(root, "repo");
        Path folder = Files.createDirectories(repository.resolve(name));
        Files.writeString(folder.resolve(ModelRepository.CONFIG_FILE), json);
        return repository;
    }

    @Test
    void shouldReadAFullEntryWithShapesFromModelJson() throws IOException {
        Path repository = repository("dlrm_fused", """
                {"name": "dlrm_fused", "version": "3", "kind": "dlrm", "path": "fused",
                 "backend": {"service": "dense-service", "addresses": ["10.0.0.1", "10.0.0.2:9300"],
                   "model": "dlrm_fused", "timeout_us": 5000},
                 "model_json": "%s", "max_batch_size": 128,
                 "dynamic_batching": {"max_queue_delay_us": 100, "preferred_batch_sizes": [64, 32],
                   "max_queue_size": 10, "max_inflight_batches": 2},
                 "key_policy": "default", "default_timeout_us": 9000}
                """.formatted(modelJson));
        ServedModel model = ModelRepository.load(repository).model("dlrm_fused").orElseThrow();
        assertThat(model.version()).isEqualTo("3");
        assertThat(model.kind()).isEqualTo(ModelKind.DLRM);
        assertThat(model.path()).isEqualTo(ServingPath.FUSED);
        assertThat(model.backend().addresses()).extracting(a -> a.getHostString() + ":" + a.getPort())
                .containsExactly("10.0.0.1:9200", "10.0.0.2:9300");
        assertThat(model.backend().timeoutMicros()).isEqualTo(5000);
        assertThat(model.denseFeatures()).isEqualTo(13);
        assertThat(model.tableCount()).isEqualTo(26);
        assertThat(model.tables().getFirst().dimension()).isEqualTo(4);
        assertThat(model.maxBatchSize()).isEqualTo(128);
        assertThat(model.batching()).isEqualTo(new DynamicBatching(100, List.of(32, 64), 10, 2));
        assertThat(model.keyPolicy()).isEqualTo(KeyPolicy.DEFAULT);
        assertThat(model.defaultTimeoutMicros()).isEqualTo(9000);
    }

    @Test
    void shouldTakeDefaultsAndModelJsonsMaxBatchSize() throws IOException {
        Path repository = repository("emb", """
                {"kind": "embedding", "backend": {"service": "hps-service", "addresses": ["h"], "model": "dlrm"},
                 "model_json": "%s"}
                """.formatted(modelJson));
        ServedModel model = ModelRepository.load(repository).model("emb").orElseThrow();
        assertThat(model.backend().addresses().getFirst().getPort()).isEqualTo(9100);
        assertThat(model.maxBatchSize()).isEqualTo(256);
        assertThat(model.keyPolicy()).isEqualTo(KeyPolicy.REJECT);
        assertThat(model.path()).isEqualTo(ServingPath.ENSEMBLE);
        assertThat(model.batching()).isEqualTo(DynamicBatching.DEFAULTS);
    }

    @Test
    void shouldRejectUnknownFieldsMismatchedNamesAndWrongBackends() throws IOException {
        String base = """
                {"kind": "dlrm", "backend": {"service": "dense-service", "addresses": ["h"], "model": "m"},
                 "model_json": "%s"
                """.formatted(modelJson);
        assertThatThrownBy(() -> ModelRepository.load(repository("m", base + ", \"max_batchsize\": 3}")))
                .isInstanceOf(RepositoryException.class).hasMessageContaining("max_batchsize is not a known field");
        assertThatThrownBy(() -> ModelRepository.load(repository("m", base + ", \"name\": \"other\"}")))
                .hasMessageContaining("must equal the folder name m");
        assertThatThrownBy(() -> ModelRepository.load(repository("m",
                base.replace("dense-service", "hps-service") + "}")))
                .hasMessageContaining("backend.service must be dense-service for a dlrm model");
        assertThatThrownBy(() -> ModelRepository.load(repository("m", base + ", \"key_policy\": \"ignore\"}")))
                .hasMessageContaining("key_policy must be reject or default");
        assertThatThrownBy(() -> ModelRepository.load(repository("m",
                base.replace("\"h\"", "\"h:99999\"") + "}"))).hasMessageContaining("port must be 1..65535");
        assertThatThrownBy(() -> ModelRepository.load(repository("m", base.replace(modelJson.toString(),
                "/nonexistent/model.json") + "}"))).hasMessageContaining("model.json");
    }
}
