package io.hps.gateway;

import io.hps.model.config.PsConfigFile;
import io.hps.model.workload.Batch;
import io.hps.model.workload.WorkloadGenerator;
import io.hps.model.workload.WorkloadSettings;
import io.hps.store.HpsSettings;
import io.hps.store.LoadProgress;
import io.hps.store.ParameterServer;
import io.hps.store.TestModel;
import io.hps.transport.LookupServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Everything a gateway test talks to, for real, on loopback: a generated model on disk, an
 * in-process hps-service (ParameterServer + LookupServer), the {@link ReferenceScoringServer} in
 * place of dense-service, a model repository over them, and the gateway application itself.
 */
final class GatewayFixture implements AutoCloseable {
    static final int MAX_BODY_BYTES = 1 << 20;
    static final int MAX_JSON_DEPTH = 8;
    static final java.util.List<String> ERROR_CODES = java.util.List.of("OVERLOADED", "NOT_READY", "INTERNAL",
            "DEADLINE_EXCEEDED", "TOO_MANY_KEYS", "MALFORMED_FRAME");
    /** Models in the repository written by this fixture. */
    static final int MODEL_COUNT = 8 + ERROR_CODES.size();

    final TestModel model;
    final ParameterServer parameterServer;
    final LookupServer lookupServer;
    final ReferenceScoringServer scoring;
    final ConfigurableApplicationContext gateway;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final WorkloadGenerator workload;
    final int port;
    final int managementPort;

    GatewayFixture(Path root) throws Exception {
        model = TestModel.generate(root);
        PsConfigFile ps = model.psConfig("{\"type\": \"hash_map\", \"num_partitions\": 2}",
                "{\"type\": \"disabled\"}", "");
        parameterServer = ParameterServer.create(ps.config(), HpsSettings.DEFAULTS, new SimpleMeterRegistry());
        parameterServer.load(LoadProgress.NONE).get(60, TimeUnit.SECONDS);
        lookupServer = LookupServer.start(parameterServer, "127.0.0.1", 0, 2, 16, 64 << 20,
                new SimpleMeterRegistry());
        scoring = new ReferenceScoringServer(model.directory(), Set.of("dlrm_ensemble", "dlrm_batched"));
        Path repository = writeRepository(root.resolve("repository"));
        gateway = new SpringApplication(GatewayApplication.class).run(
                "--server.port=0", "--management.server.port=0", "--server.address=127.0.0.1",
                "--hps.gateway.repository=" + repository,
                "--hps.gateway.max-body-bytes=" + MAX_BODY_BYTES,
                "--hps.gateway.max-json-depth=" + MAX_JSON_DEPTH);
        port = Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
        managementPort = Integer.parseInt(gateway.getEnvironment().getProperty("local.management.port"));
        workload = new WorkloadGenerator(model.tables(), 13, WorkloadSettings.uniform(11));
    }

    private Path writeRepository(Path repository) throws IOException {
        String dense = "127.0.0.1:" + scoring.port();
        String hps = "127.0.0.1:" + lookupServer.port();
        Path modelJson = model.directory().resolve("model.json");
        entry(repository, "dlrm_ensemble", "dlrm", "dense-service", dense, "dlrm_ensemble", modelJson,
                "\"key_policy\": \"reject\", \"dynamic_batching\": {\"max_queue_delay_us\": 500}");
        entry(repository, "dlrm_default_keys", "dlrm", "dense-service", dense, "dlrm_ensemble", modelJson,
                "\"key_policy\": \"default\", \"path\": \"fused\", \"max_batch_size\": 32");
        for (String code : ERROR_CODES) {
            entry(repository, "dlrm_" + code.toLowerCase(java.util.Locale.ROOT), "dlrm", "dense-service", dense,
                    ReferenceScoringServer.ERROR_PREFIX + code, modelJson, "");
        }
        entry(repository, "dlrm_batched", "dlrm", "dense-service", dense, "dlrm_batched", modelJson,
                "\"dynamic_batching\": {\"max_queue_delay_us\": 20000000, \"preferred_batch_sizes\": [64]}");
        entry(repository, "dlrm_held", "dlrm", "dense-service", dense, ReferenceScoringServer.HELD_MODEL, modelJson,
                "\"dynamic_batching\": {\"max_queue_size\": 1, \"max_inflight_batches\": 1}");
        entry(repository, "dlrm_held_batched", "dlrm", "dense-service", dense, ReferenceScoringServer.HELD_MODEL,
                modelJson, "\"dynamic_batching\": {\"max_queue_delay_us\": 20000000, \"preferred_batch_sizes\": [2]}");
        entry(repository, "dlrm_unknown_backend", "dlrm", "dense-service", dense, "not_served", modelJson, "");
        entry(repository, "embedding", "embedding", "hps-service", hps, TestModel.NAME, modelJson,
                "\"key_policy\": \"reject\"");
        entry(repository, "embedding_default_keys", "embedding", "hps-service", hps, TestModel.NAME, modelJson,
                "\"key_policy\": \"default\"");
        return repository;
    }

    private static void entry(Path repository, String name, String kind, String service, String address,
                              String backendModel, Path modelJson, String extra) throws IOException {
        Path folder = Files.createDirectories(repository.resolve(name));
        Files.writeString(folder.resolve("config.json"), """
                {"name": "%s", "kind": "%s", "path": "ensemble",
                 "backend": {"service": "%s", "addresses": ["%s"], "model": "%s", "timeout_us": 20000000},
                 "model_json": "%s"%s}
                """.formatted(name, kind, service, address, backendModel, modelJson,
                extra.isEmpty() ? "" : ", " + extra));
    }

    Batch batch(long index, int size) {
        return workload.batch(index, size);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> getManagement(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String model, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url("/v2/models/" + model + "/infer")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJsonWithHeader(String model, String json, String header, String value) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url("/v2/models/" + model + "/infer")))
                .header("Content-Type", "application/json").header(header, value)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> postBinary(String model, byte[] body, String headerLength) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url("/v2/models/" + model + "/infer")))
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", headerLength)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() {
        gateway.close();
        scoring.close();
        lookupServer.close();
        parameterServer.close();
    }
}
