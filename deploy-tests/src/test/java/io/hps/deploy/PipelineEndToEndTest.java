package io.hps.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeightsFile;
import io.hps.model.gen.GeneratorSettings;
import io.hps.model.gen.ProgressListener;
import io.hps.model.gen.SyntheticModelGenerator;
import io.hps.model.reference.ReferenceDlrm;
import io.hps.model.sparse.SparseTable;
import io.hps.model.workload.Batch;
import io.hps.model.workload.WorkloadGenerator;
import io.hps.model.workload.WorkloadSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole pipeline as separate processes, as deploy/run-local.sh starts it: hps-service,
 * dense-service serving one model on the native, fused and ensemble paths, and the gateway in
 * front. REST inference on every path must match the float64 reference forward, and the
 * embedding-only model must return the stored vectors bit for bit.
 */
class PipelineEndToEndTest {
    static final int DIM = 16;
    static final List<String> PATHS = List.of("native", "fused", "ensemble");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path root;
    static Path modelDir;
    static DlrmArchitecture architecture;
    static final List<ServiceProcess> processes = new ArrayList<>();
    static int gatewayPort;
    static int gatewayMetricsPort;
    static int denseMetricsPort;
    static int hpsMetricsPort;

    @BeforeAll
    static void start() throws Exception {
        modelDir = root.resolve("model");
        architecture = SyntheticModelGenerator.generate(
                new GeneratorSettings(modelDir, "dlrm", 0.001, DIM, 11, 2, 1024), ProgressListener.NONE).architecture();
        // Misses are fetched before answering (never the default vector), so every path must
        // return exactly the reference scores.
        Path ps = modelDir.resolve("ps.json");
        String psJson = Files.readString(ps);
        assertThat(psJson).contains("\"hit_rate_threshold\" : 0.9");
        Files.writeString(ps, psJson.replace("\"hit_rate_threshold\" : 0.9", "\"hit_rate_threshold\" : 1.0"));
        Path logs = Files.createDirectories(root.resolve("logs"));

        int hpsPort = ServiceProcess.freePort();
        hpsMetricsPort = ServiceProcess.freePort();
        ServiceProcess hps = ServiceProcess.start("hps-service", List.of(
                "--hps.ps-config=" + modelDir.resolve("ps.json"), "--server.port=" + hpsMetricsPort,
                "--hps.rsocket.host=127.0.0.1", "--hps.rsocket.port=" + hpsPort), logs);
        processes.add(hps);

        int densePort = ServiceProcess.freePort();
        denseMetricsPort = ServiceProcess.freePort();
        List<String> denseArgs = new ArrayList<>(List.of("--server.port=" + denseMetricsPort,
                "--dense.rsocket.host=127.0.0.1", "--dense.rsocket.port=" + densePort,
                "--dense.hps-replicas[0]=127.0.0.1:" + hpsPort, "--dense.network.warm-up-millis=200"));
        for (int i = 0; i < PATHS.size(); i++) {
            denseArgs.add("--dense.models[" + i + "].name=dlrm_" + PATHS.get(i));
            denseArgs.add("--dense.models[" + i + "].model-dir=" + modelDir);
            denseArgs.add("--dense.models[" + i + "].path=" + PATHS.get(i));
        }
        ServiceProcess dense = ServiceProcess.start("dense-service", denseArgs, logs);
        processes.add(dense);

        Path repository = writeRepository(densePort, hpsPort);
        gatewayPort = ServiceProcess.freePort();
        gatewayMetricsPort = ServiceProcess.freePort();
        ServiceProcess gateway = ServiceProcess.start("gateway", List.of("--server.port=" + gatewayPort,
                "--management.server.port=" + gatewayMetricsPort, "--hps.gateway.repository=" + repository), logs);
        processes.add(gateway);

        hps.awaitReady("http://127.0.0.1:" + hpsMetricsPort + "/actuator/health/readiness", Duration.ofSeconds(180));
        dense.awaitReady("http://127.0.0.1:" + denseMetricsPort + "/actuator/health/readiness", Duration.ofSeconds(180));
        gateway.awaitReady("http://127.0.0.1:" + gatewayPort + "/v2/health/ready", Duration.ofSeconds(180));
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess p : processes.reversed()) {
            p.close();
        }
    }

    private static Path writeRepository(int densePort, int hpsPort) throws Exception {
        Path repository = root.resolve("repository");
        for (String path : PATHS) {
            writeModel(repository, "dlrm_" + path, """
                    {"name": "dlrm_%s", "kind": "dlrm", "path": "%s",
                     "backend": {"service": "dense-service", "addresses": ["127.0.0.1:%d"], "model": "dlrm_%s"},
                     "model_json": "%s", "max_batch_size": 1024}
                    """.formatted(path, path, densePort, path, modelDir.resolve("model.json")));
        }
        writeModel(repository, "dlrm_embeddings", """
                {"name": "dlrm_embeddings", "kind": "embedding", "path": "ensemble",
                 "backend": {"service": "hps-service", "addresses": ["127.0.0.1:%d"], "model": "dlrm"},
                 "model_json": "%s", "max_batch_size": 1024}
                """.formatted(hpsPort, modelDir.resolve("model.json")));
        return repository;
    }

    private static void writeModel(Path repository, String name, String config) throws Exception {
        Path dir = Files.createDirectories(repository.resolve(name));
        Files.writeString(dir.resolve("config.json"), config);
    }

    private static JsonNode post(String model, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gatewayPort + "/v2/models/" + model + "/infer"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s answered %s", model, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String join(float[] values) {
        StringJoiner j = new StringJoiner(",");
        for (float v : values) {
            j.add(Float.toString(v));
        }
        return j.toString();
    }

    private static String join(long[] values) {
        StringJoiner j = new StringJoiner(",");
        for (long v : values) {
            j.add(Long.toString(v));
        }
        return j.toString();
    }

    /** The stored embeddings of a batch, sample-major [B, 26, DIM], read from the sparse files. */
    private static float[] embeddings(Batch batch) throws Exception {
        int tables = architecture.tableCount();
        float[] out = new float[batch.batchSize() * tables * DIM];
        for (int t = 0; t < tables; t++) {
            try (SparseTable sparse = SparseTable.open(modelDir.resolve("sparse").resolve("t" + t), DIM)) {
                for (int s = 0; s < batch.batchSize(); s++) {
                    for (int e = 0; e < DIM; e++) {
                        out[(s * tables + t) * DIM + e] = sparse.value(batch.key(s, t), e);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void shouldScoreTheSameBatchOnEveryPathAsTheReferenceForward() throws Exception {
        int b = 48;
        Batch batch = WorkloadGenerator.forArchitecture(architecture, WorkloadSettings.zipf(5)).batch(0, b);
        double[] expected = new ReferenceDlrm(DlrmWeightsFile.load(modelDir.resolve("dense.safetensors"), architecture))
                .forward(b, batch.dense(), embeddings(batch));
        String body = """
                {"inputs": [
                  {"name": "dense", "shape": [%d, 13], "datatype": "FP32", "data": [%s]},
                  {"name": "categorical", "shape": [%d, 26], "datatype": "INT64", "data": [%s]}]}
                """.formatted(b, join(batch.dense()), b, join(batch.keys()));
        for (String path : PATHS) {
            JsonNode output = post("dlrm_" + path, body).get("outputs").get(0);
            assertThat(output.get("shape").get(0).asInt()).isEqualTo(b);
            JsonNode data = output.get("data");
            assertThat(data.size()).isEqualTo(b);
            for (int s = 0; s < b; s++) {
                assertThat(data.get(s).asDouble()).as("%s sample %d", path, s)
                        .isCloseTo(expected[s], org.assertj.core.data.Offset.offset(1e-5 * Math.max(1e-3, expected[s])));
            }
        }
    }

    @Test
    void shouldServeTheEmbeddingModelBitExact() throws Exception {
        long[] keys = new long[26];
        int[] counts = new int[26];
        for (int t = 0; t < 26; t++) {
            keys[t] = (t % 3) % architecture.tables().get(t).rows();
            counts[t] = 1;
        }
        StringJoiner numKeys = new StringJoiner(",");
        for (int c : counts) {
            numKeys.add(Integer.toString(c));
        }
        JsonNode output = post("dlrm_embeddings", """
                {"inputs": [
                  {"name": "KEYS", "shape": [26], "datatype": "INT64", "data": [%s]},
                  {"name": "NUMKEYS", "shape": [26], "datatype": "INT32", "data": [%s]}]}
                """.formatted(join(keys), numKeys)).get("outputs").get(0);
        JsonNode data = output.get("data");
        assertThat(data.size()).isEqualTo(26 * DIM);
        for (int t = 0; t < 26; t++) {
            try (SparseTable sparse = SparseTable.open(modelDir.resolve("sparse").resolve("t" + t), DIM)) {
                for (int e = 0; e < DIM; e++) {
                    assertThat((float) data.get(t * DIM + e).asDouble()).isEqualTo(sparse.value(keys[t], e));
                }
            }
        }
    }

    @Test
    void shouldExposeTheMetricsTheDashboardsQuery() throws Exception {
        shouldScoreTheSameBatchOnEveryPathAsTheReferenceForward();
        String gateway = scrape(gatewayMetricsPort);
        String dense = scrape(denseMetricsPort);
        String hps = scrape(hpsMetricsPort);
        for (String name : Set.of("nv_inference_request_success", "nv_inference_count", "nv_inference_exec_count",
                "nv_inference_request_duration_us", "nv_inference_queue_duration_us")) {
            assertThat(ExposedMetrics.parseExposition(gateway)).contains(name);
        }
        assertThat(ExposedMetrics.parseExposition(hps)).contains("hps_lookups_total", "hps_lookup_hits_total");
        Map<String, Set<String>> expected = ExposedMetrics.parseExpected(
                ProjectFiles.grafana().resolve("expected-metrics.txt"));
        assertThat(ExposedMetrics.parseExposition(gateway)).as("gateway metrics the dashboards query")
                .containsAll(expected.get("gateway"));
        assertThat(ExposedMetrics.parseExposition(dense)).as("dense-service metrics the dashboards query")
                .containsAll(expected.get("dense-service"));
    }

    private static String scrape(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
