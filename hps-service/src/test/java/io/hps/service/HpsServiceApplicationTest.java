package io.hps.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.store.TestModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The whole service on real ports: readiness follows loading, metrics are scraped in Prometheus format. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class HpsServiceApplicationTest {
    private static final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void model(DynamicPropertyRegistry registry) throws IOException {
        Path root = Files.createTempDirectory("hps-service-test");
        TestModel model = TestModel.generate(root);
        Path ps = model.psJson("{\"type\": \"hash_map\"}", "{\"type\": \"disabled\"}",
                "\"gpucache\": true, \"gpucacheper\": 0.5, \"unknown_setting\": 3");
        registry.add("hps.ps-config", ps::toString);
        registry.add("hps.rsocket.port", () -> "0");
        registry.add("hps.rsocket.host", () -> "127.0.0.1");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldTurnReadyAfterLoadingAndExposePrometheusMetrics() throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<String> readiness;
        do {
            readiness = get("/actuator/health/readiness");
            if (readiness.statusCode() == 200) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < until);
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).contains("hps_lookups_total", "hps_cache_occupancy", "hps_load_seconds",
                "hps_rsocket_lookup_latency_seconds");
    }
}
