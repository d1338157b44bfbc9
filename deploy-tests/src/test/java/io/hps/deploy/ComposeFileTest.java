package io.hps.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose.yaml runs the whole pipeline: the services it names exist, Prometheus scrapes
 * each service on the port the service listens on, and every file it mounts is in the repository.
 */
class ComposeFileTest {
    private static final YAMLMapper YAML = new YAMLMapper();

    private static JsonNode compose() throws IOException {
        return YAML.readTree(ProjectFiles.root().resolve("deploy/compose.yaml").toFile());
    }

    @Test
    void shouldRunThePipelineWithRedisPrometheusAndGrafana() throws IOException {
        Set<String> services = new TreeSet<>();
        compose().path("services").fieldNames().forEachRemaining(services::add);
        assertThat(services).contains("redis", "redis-exporter", "hps-service", "dense-service", "gateway",
                "prometheus", "grafana");
        for (String service : List.of("hps-service", "dense-service", "gateway")) {
            assertThat(compose().path("services").path(service).path("image").asText())
                    .isEqualTo("hps/" + service + ":0.1.0-SNAPSHOT");
        }
    }

    @Test
    void shouldScrapeEveryServiceOnAPortItPublishes() throws IOException {
        JsonNode services = compose().path("services");
        JsonNode config = YAML.readTree(ProjectFiles.prometheus().resolve("prometheus.yml").toFile());
        List<String> targets = new ArrayList<>();
        config.path("scrape_configs").forEach(job -> job.path("static_configs")
                .forEach(c -> c.path("targets").forEach(t -> targets.add(t.asText()))));
        assertThat(targets).containsExactlyInAnyOrder("gateway:8002", "dense-service:9201", "hps-service:9101",
                "redis-exporter:9121");
        for (String target : targets) {
            String[] hostPort = target.split(":");
            assertThat(services.has(hostPort[0])).as("compose service " + hostPort[0]).isTrue();
        }
        for (String target : List.of("gateway:8002", "dense-service:9201", "hps-service:9101")) {
            String[] hostPort = target.split(":");
            List<String> published = new ArrayList<>();
            services.path(hostPort[0]).path("ports").forEach(p -> published.add(p.asText()));
            assertThat(published).as(target).contains(hostPort[1] + ":" + hostPort[1]);
        }
    }

    @Test
    void shouldMountOnlyFilesThatExist() throws IOException {
        Path deploy = ProjectFiles.root().resolve("deploy");
        List<String> missing = new ArrayList<>();
        compose().path("services").forEach(service -> service.path("volumes").forEach(volume -> {
            String source = volume.asText().split(":")[0];
            if (source.startsWith(".") && !Files.exists(deploy.resolve(source))) {
                missing.add(source);
            }
        }));
        assertThat(missing).isEmpty();
    }
}
