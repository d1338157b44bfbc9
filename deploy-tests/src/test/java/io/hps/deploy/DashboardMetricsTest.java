package io.hps.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.hps.service.HpsServiceApplication;
import io.hps.store.TestModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Every metric a Grafana panel, a template variable, a Prometheus rule or the autoscaler's
 * adapter rule reads is one a service exposes: hps-service is started here (a generated model,
 * random ports) and scraped on /actuator/prometheus; the services not started yet contribute
 * their names from deploy/grafana/expected-metrics.txt; recording-rule names must be recorded.
 */
class DashboardMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Series Prometheus writes itself for every scrape target. */
    private static final Set<String> SCRAPE_SERIES = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped");

    private static ConfigurableApplicationContext hpsService;
    private static Set<String> scraped;

    @BeforeAll
    static void startHpsService() throws Exception {
        Path root = Files.createTempDirectory("deploy-tests-hps");
        Path ps = TestModel.generate(root).psJson("{\"type\": \"hash_map\"}", "{\"type\": \"disabled\"}",
                "\"gpucache\": true, \"gpucacheper\": 0.5");
        hpsService = new SpringApplicationBuilder(HpsServiceApplication.class).run(
                "--server.port=0", "--hps.rsocket.port=0", "--hps.rsocket.host=127.0.0.1",
                "--hps.ps-config=" + ps);
        String port = hpsService.getEnvironment().getProperty("local.server.port");
        awaitReady(port);
        scraped = ExposedMetrics.parseExposition(get(port, "/actuator/prometheus").body());
    }

    @AfterAll
    static void stopHpsService() {
        if (hpsService != null) {
            hpsService.close();
        }
    }

    private static void awaitReady(String port) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (get(port, "/actuator/health/readiness").statusCode() != 200) {
            if (System.nanoTime() > until) {
                throw new AssertionError("hps-service not ready after 60 s: port=" + port);
            }
            Thread.sleep(50);
        }
    }

    private static HttpResponse<String> get(String port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Set<String>> expected() {
        return ExposedMetrics.parseExpected(ProjectFiles.grafana().resolve("expected-metrics.txt"));
    }

    private static Set<String> exposed() {
        Set<String> names = new HashSet<>(scraped);
        names.addAll(SCRAPE_SERIES);
        expected().values().forEach(names::addAll);
        return names;
    }

    private static Set<String> recorded() throws IOException {
        Set<String> names = new HashSet<>();
        for (JsonNode group : YAML.readTree(ProjectFiles.prometheus().resolve("rules/recording.yml").toFile()).path("groups")) {
            group.path("rules").forEach(rule -> names.add(rule.path("record").asText()));
        }
        return names;
    }

    /** {@code where -> metric names} of every dashboard's panel targets and template variables. */
    private static Map<String, Set<String>> dashboardMetrics() throws IOException {
        Map<String, Set<String>> uses = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(ProjectFiles.grafana().resolve("dashboards"))) {
            for (Path file : files.sorted().toList()) {
                JsonNode dashboard = JSON.readTree(file.toFile());
                for (JsonNode panel : panels(dashboard)) {
                    for (JsonNode target : panel.path("targets")) {
                        uses.put(file.getFileName() + " panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                                PromQlMetrics.of(target.path("expr").asText()));
                    }
                }
                for (JsonNode variable : dashboard.path("templating").path("list")) {
                    if (variable.path("type").asText().equals("query")) {
                        uses.put(file.getFileName() + " variable " + variable.path("name").asText(),
                                PromQlMetrics.ofVariableQuery(variable.path("query").path("query").asText()));
                    }
                }
            }
        }
        return uses;
    }

    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }

    /** {@code where -> metric names} of every alert and recording rule expression. */
    private static Map<String, Set<String>> ruleMetrics() throws IOException {
        Map<String, Set<String>> uses = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(ProjectFiles.prometheus().resolve("rules"))) {
            for (Path file : files.sorted().toList()) {
                for (JsonNode group : YAML.readTree(file.toFile()).path("groups")) {
                    for (JsonNode rule : group.path("rules")) {
                        String name = rule.has("record") ? rule.path("record").asText() : rule.path("alert").asText();
                        uses.put(file.getFileName() + " " + name, PromQlMetrics.of(rule.path("expr").asText()));
                    }
                }
            }
        }
        JsonNode adapter = YAML.readTree(ProjectFiles.k8s().resolve("prometheus-adapter/rules.yaml").toFile());
        for (JsonNode rule : adapter.path("rules").path("custom")) {
            uses.put("prometheus-adapter " + rule.path("name").path("as").asText(),
                    PromQlMetrics.of(rule.path("seriesQuery").asText() + " + " + rule.path("metricsQuery").asText()));
        }
        return uses;
    }

    private static Map<String, Set<String>> missing(Map<String, Set<String>> uses) throws IOException {
        Set<String> exposed = exposed();
        Set<String> recorded = recorded();
        Map<String, Set<String>> missing = new LinkedHashMap<>();
        uses.forEach((where, names) -> {
            Set<String> absent = new TreeSet<>();
            for (String name : names) {
                boolean known = name.contains(":") ? recorded.contains(name) : exposed.contains(name);
                if (!known) {
                    absent.add(name);
                }
            }
            if (!absent.isEmpty()) {
                missing.put(where, absent);
            }
        });
        return missing;
    }

    @Test
    void shouldScrapeTheParameterServerMetricsTheDashboardsAreBuiltOn() {
        assertThat(scraped).contains("hps_lookups_total", "hps_lookup_hits_total", "hps_lookup_unique_keys_total",
                "hps_lookup_latency_seconds_bucket", "hps_tier_latency_seconds_bucket", "hps_tier_errors_total",
                "hps_cache_occupancy", "hps_cache_evictions_total", "hps_ready", "hps_load_seconds",
                "hps_rsocket_lookup_latency_seconds_bucket", "jvm_buffer_memory_used_bytes", "jvm_info");
    }

    @Test
    void shouldExposeEveryMetricThatADashboardReads() throws IOException {
        Map<String, Set<String>> uses = dashboardMetrics();
        assertThat(uses).hasSizeGreaterThan(20);
        assertThat(uses.values()).allSatisfy(names -> assertThat(names).isNotEmpty());
        assertThat(missing(uses)).as("dashboard metrics neither scraped from hps-service nor in expected-metrics.txt")
                .isEmpty();
    }

    @Test
    void shouldExposeEveryMetricThatARuleReads() throws IOException {
        Map<String, Set<String>> uses = ruleMetrics();
        assertThat(uses).hasSizeGreaterThan(10);
        assertThat(missing(uses)).as("rule metrics neither scraped, expected nor recorded").isEmpty();
    }

    @Test
    void shouldListOnlyServicesThatAreNotScrapedInTheExpectedNames() {
        assertThat(expected().keySet()).containsExactlyInAnyOrder("gateway", "dense-service", "redis_exporter");
        assertThat(expected().values().stream().flatMap(Set::stream)).doesNotContainAnyElementsOf(scraped);
    }

    @Test
    void shouldReportAMetricThatNoServiceExposes() throws IOException {
        Map<String, Set<String>> uses = Map.of("made-up panel", PromQlMetrics.of("rate(hps_lookups_totall[5m])"));
        assertThat(missing(uses)).containsEntry("made-up panel", Set.of("hps_lookups_totall"));
    }

    @Test
    void shouldBindEveryPanelToTheDashboardDataSourceVariable() throws IOException {
        try (Stream<Path> files = Files.list(ProjectFiles.grafana().resolve("dashboards"))) {
            for (Path file : files.toList()) {
                JsonNode dashboard = JSON.readTree(file.toFile());
                assertThat(dashboard.path("uid").asText()).as(file + " uid").isNotBlank();
                Set<Integer> ids = new HashSet<>();
                for (JsonNode panel : panels(dashboard)) {
                    assertThat(ids.add(panel.path("id").asInt())).as(file + " unique panel id").isTrue();
                    assertThat(panel.path("datasource").path("uid").asText()).as(file + " panel datasource")
                            .isEqualTo("${datasource}");
                }
            }
        }
    }
}
