package io.hps.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Metric names a service exposes, from a real scrape or from deploy/grafana/expected-metrics.txt. */
final class ExposedMetrics {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    private ExposedMetrics() {
    }

    /** The series names of a Prometheus text exposition (comments skipped). */
    static Set<String> parseExposition(String body) {
        Set<String> names = new LinkedHashSet<>();
        body.lines().filter(l -> !l.startsWith("#")).forEach(l -> {
            Matcher m = SAMPLE.matcher(l);
            if (m.find()) {
                names.add(m.group(1));
            }
        });
        return names;
    }

    /**
     * The sections of the expected-names file: {@code [service]} headers, one name a line,
     * {@code #} comments and blank lines ignored.
     */
    static Map<String, Set<String>> parseExpected(Path file) {
        Map<String, Set<String>> sections = new LinkedHashMap<>();
        String section = null;
        try {
            for (String raw : Files.readAllLines(file)) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("[") && line.endsWith("]")) {
                    section = line.substring(1, line.length() - 1);
                    sections.put(section, new LinkedHashSet<>());
                } else if (section == null) {
                    throw new IllegalArgumentException("metric name before any [service] section: line=" + line);
                } else {
                    sections.get(section).add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sections;
    }
}
