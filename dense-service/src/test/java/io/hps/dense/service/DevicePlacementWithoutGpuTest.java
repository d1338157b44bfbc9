package io.hps.dense.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.hps.dense.path.GeneratedModel;
import io.hps.dense.path.PathKind;
import io.hps.dense.path.ScoringPath;
import io.hps.dense.path.ServedModels;
import io.hps.gpu.GpuRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service on a machine without a GPU: an instance on {@code device: gpu} fails to load with the probe's reason
 * in the readiness details while the others load; {@code device: auto} serves on the CPU the same scores as
 * {@code device: cpu}, native and fused. Skipped where a GPU is present; the context is closed after the class, so
 * that GPU instances it may have opened there do not outlive it.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DevicePlacementWithoutGpuTest {
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final String[][] INSTANCES = {
            {"dlrm-gpu", "native", "gpu"}, {"dlrm-cpu", "native", "cpu"}, {"dlrm-auto", "native", "auto"},
            {"dlrm-cpu-fused", "fused", "cpu"}, {"dlrm-auto-fused", "fused", "auto"}};
    private static GeneratedModel model;

    @LocalServerPort
    int port;

    @Autowired
    ServedModels models;

    @Autowired
    ModelLoading loading;

    @DynamicPropertySource
    static void models(DynamicPropertyRegistry registry) throws Exception {
        model = GeneratedModel.generate(Files.createTempDirectory("dense-placement-test"));
        Path dir = model.directory().directory();
        for (int i = 0; i < INSTANCES.length; i++) {
            String[] instance = INSTANCES[i];
            registry.add("dense.models[" + i + "].name", () -> instance[0]);
            registry.add("dense.models[" + i + "].model-dir", dir::toString);
            registry.add("dense.models[" + i + "].path", () -> instance[1]);
            registry.add("dense.models[" + i + "].device", () -> instance[2]);
        }
        registry.add("dense.rsocket.port", () -> "0");
        registry.add("dense.rsocket.host", () -> "127.0.0.1");
        registry.add("dense.network.threads", () -> "2");
        registry.add("dense.network.warm-up-millis", () -> "100");
    }

    private static float[] score(ScoringPath path, GeneratedModel.Batch batch) {
        float[] out = new float[batch.size()];
        path.score(batch.size(), batch.dense(), batch.keys(), out);
        return out;
    }

    @Test
    void shouldFailTheGpuInstanceWithTheProbesReasonAndServeAutoOnTheCpu() throws Exception {
        assumeFalse(GpuRuntime.availability().available(), "a GPU is present");
        long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (models.path("dlrm-auto-fused").isEmpty() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(loading.failures()).containsOnlyKeys("dlrm-gpu");
        assertThat(loading.failures().get("dlrm-gpu")).contains("device gpu but no usable GPU", "instance=dlrm-gpu",
                GpuRuntime.availability().reason());
        assertThat(models.path("dlrm-gpu")).isEmpty();
        assertThat(models.ready()).isFalse();

        GeneratedModel.Batch batch = model.batch(40, 21);
        ScoringPath cpu = models.path("dlrm-cpu").orElseThrow();
        ScoringPath auto = models.path("dlrm-auto").orElseThrow();
        ScoringPath autoFused = models.path("dlrm-auto-fused").orElseThrow();
        assertThat(auto.kind()).isEqualTo(PathKind.NATIVE);
        assertThat(autoFused.kind()).isEqualTo(PathKind.FUSED);
        float[] expected = score(cpu, batch);
        assertThat(score(auto, batch)).containsExactly(expected);
        assertThat(score(autoFused, batch)).containsExactly(expected);
        assertThat(score(models.path("dlrm-cpu-fused").orElseThrow(), batch)).containsExactly(expected);

        HttpResponse<String> readiness = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("dlrm-gpu", "device gpu but no usable GPU");
    }
}
