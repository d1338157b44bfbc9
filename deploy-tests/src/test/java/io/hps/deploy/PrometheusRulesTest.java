package io.hps.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code promtool} accepts deploy/prometheus: the scrape configuration, the recording and alert
 * rules, and the rule unit tests (alerts fire on the series they are written for).
 */
class PrometheusRulesTest {
    private static ExternalTool promtool() {
        return ExternalTool.require("promtool", "Debian: apt-get install prometheus");
    }

    @Test
    void shouldAcceptTheRuleFiles() throws IOException {
        Path rules = ProjectFiles.prometheus().resolve("rules");
        String[] files;
        try (Stream<Path> list = Files.list(rules)) {
            files = Stream.concat(Stream.of("check", "rules"), list.map(Path::toString).sorted()).toArray(String[]::new);
        }
        String output = promtool().run(rules, files).succeeded().output();
        assertThat(output).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void shouldAcceptTheScrapeConfiguration() throws IOException {
        Path dir = Files.createTempDirectory("prometheus-config");
        Path rules = ProjectFiles.prometheus().resolve("rules");
        String config = Files.readString(ProjectFiles.prometheus().resolve("prometheus.yml"), StandardCharsets.UTF_8)
                .replace("/etc/prometheus/rules", rules.toString());
        Path file = Files.writeString(dir.resolve("prometheus.yml"), config);
        String output = promtool().run(dir, "check", "config", file.toString()).succeeded().output();
        assertThat(output).contains("is valid prometheus config file").contains("2 rule files found");
    }

    @Test
    void shouldFireTheAlertsInTheRuleUnitTests() {
        Path tests = ProjectFiles.prometheus().resolve("tests");
        String output = promtool().run(tests, "test", "rules", "alerts-test.yml").succeeded().output();
        assertThat(output).contains("SUCCESS");
    }
}
