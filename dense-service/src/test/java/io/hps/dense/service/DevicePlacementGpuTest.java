package io.hps.dense.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.dense.gpu.ReferenceCheck;
import io.hps.dense.path.GeneratedModel;
import io.hps.dense.path.ScoringPath;
import io.hps.dense.path.ServedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service with instances on the GPU ({@code device: gpu} native FP32 and fused TF32, {@code device: auto}
 * native) next to a CPU instance: every instance loads and warms up, readiness turns true, the GPU instances score
 * as the CPU one within the precisions' tolerances. The context is closed after the class, so the instances are
 * closed before the device's owner thread.
 */
@Tag("gpu")
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class DevicePlacementGpuTest {
    private static final String[][] INSTANCES = {
            {"dlrm-cpu", "native", "cpu", "tf32"}, {"dlrm-gpu", "native", "gpu", "fp32"},
            {"dlrm-gpu-fused", "fused", "gpu", "tf32"}, {"dlrm-auto", "native", "auto", "tf32"}};
    private static GeneratedModel model;

    @Autowired
    ServedModels models;

    @Autowired
    ModelLoading loading;

    @DynamicPropertySource
    static void models(DynamicPropertyRegistry registry) throws Exception {
        model = GeneratedModel.generate(Files.createTempDirectory("dense-gpu-placement-test"));
        Path dir = model.directory().directory();
        for (int i = 0; i < INSTANCES.length; i++) {
            String[] instance = INSTANCES[i];
            registry.add("dense.models[" + i + "].name", () -> instance[0]);
            registry.add("dense.models[" + i + "].model-dir", dir::toString);
            registry.add("dense.models[" + i + "].path", () -> instance[1]);
            registry.add("dense.models[" + i + "].device", () -> instance[2]);
            registry.add("dense.models[" + i + "].precision", () -> instance[3]);
        }
        registry.add("dense.rsocket.port", () -> "0");
        registry.add("dense.rsocket.host", () -> "127.0.0.1");
        registry.add("dense.network.threads", () -> "2");
        registry.add("dense.network.warm-up-millis", () -> "100");
    }

    private static double relativeError(ScoringPath path, float[] expected, GeneratedModel.Batch batch) {
        float[] out = new float[batch.size()];
        path.score(batch.size(), batch.dense(), batch.keys(), out);
        return ReferenceCheck.relativeError(out, expected);
    }

    @Test
    void shouldLoadEveryInstanceOnItsDeviceAndScoreAsTheCpu() throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (!models.ready() && loading.failures().isEmpty() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(loading.failures()).isEmpty();
        assertThat(models.ready()).isTrue();
        GeneratedModel.Batch batch = model.batch(GeneratedModel.MAX_BATCH, 61);
        float[] expected = new float[batch.size()];
        models.path("dlrm-cpu").orElseThrow().score(batch.size(), batch.dense(), batch.keys(), expected);
        assertThat(relativeError(models.path("dlrm-gpu").orElseThrow(), expected, batch)).isLessThan(2e-5);
        assertThat(relativeError(models.path("dlrm-gpu-fused").orElseThrow(), expected, batch)).isLessThan(2e-3);
        assertThat(relativeError(models.path("dlrm-auto").orElseThrow(), expected, batch)).isLessThan(2e-3);
    }
}
