package io.hps.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The study's text outputs: the seed's two markdown tables (server-side latency in ms, throughput in
 * K samples/s; one row per batch size, one column per path) and a CSV with one row per path and
 * batch size holding every client percentile and the server breakdown.
 */
final class StudyReport {
    static final String CSV_HEADER = "path,model,batch,mode,concurrency,target_requests_per_s,windows,stable,"
            + "requests,errors,requests_per_s,samples_per_s,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,mean_ms,"
            + "server_requests,server_ms,queue_ms,compute_input_ms,compute_infer_ms,compute_output_ms,hit_rates,"
            + "skipped,note";

    private final List<StepResult> results;
    private final List<String> paths;

    StudyReport(List<StepResult> results) {
        this.results = List.copyOf(results);
        this.paths = results.stream().map(StepResult::path).distinct().toList();
    }

    String latencyTable() {
        return table("ms", r -> "%.3f".formatted(r.server().requestMillis()));
    }

    String throughputTable() {
        return table("K samples/s", r -> "%.1f".formatted(r.samplesPerSecond() / 1000));
    }

    private String table(String unit, Function<StepResult, String> cell) {
        StringBuilder out = new StringBuilder("| batch |");
        paths.forEach(p -> out.append(' ').append(p).append(" (").append(unit).append(") |"));
        out.append("\n|---|").append("---|".repeat(paths.size())).append('\n');
        for (int batch : new TreeSet<>(results.stream().map(StepResult::batchSize).toList())) {
            out.append("| ").append(batch).append(" |");
            for (String path : paths) {
                out.append(' ').append(find(path, batch).map(r -> r.skipped() ? "skipped" : cell.apply(r)).orElse("-"))
                        .append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    private Optional<StepResult> find(String path, int batch) {
        return results.stream().filter(r -> r.path().equals(path) && r.batchSize() == batch).findFirst();
    }

    String markdown() {
        StringBuilder out = new StringBuilder("## Server-side latency (ms)\n\n").append(latencyTable())
                .append("\n## Throughput (K samples/s)\n\n").append(throughputTable());
        List<StepResult> noted = results.stream().filter(r -> !r.note().isEmpty() || !r.stable()).toList();
        if (!noted.isEmpty()) {
            out.append("\n## Notes\n\n");
            noted.forEach(r -> out.append("- ").append(r.path()).append(" batch ").append(r.batchSize()).append(": ")
                    .append(r.skipped() ? r.note() : "not stable within the window limit").append('\n'));
        }
        return out.toString();
    }

    String csv() {
        StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
        results.forEach(r -> out.append(csvRow(r)).append('\n'));
        return out.toString();
    }

    private static String csvRow(StepResult r) {
        ServerBreakdown s = r.server();
        return String.join(",", r.path(), r.model(), Integer.toString(r.batchSize()),
                r.mode().name().toLowerCase(Locale.ROOT), Integer.toString(r.concurrency()),
                number(r.requestsPerSecondTarget()), Integer.toString(r.windows()), Boolean.toString(r.stable()),
                Long.toString(r.requests()), Long.toString(r.errors()), number(r.requestsPerSecond()),
                number(r.samplesPerSecond()), millis(r.p50Micros()), millis(r.p90Micros()), millis(r.p95Micros()),
                millis(r.p99Micros()), millis(r.maxMicros()), number(r.meanMicros() / 1000), Long.toString(s.requests()),
                number(s.requestMillis()), number(s.queueMillis()), number(s.computeInputMillis()),
                number(s.computeInferMillis()), number(s.computeOutputMillis()), hitRates(r.hitRates()),
                Boolean.toString(r.skipped()), '"' + r.note().replace("\"", "'") + '"');
    }

    private static String hitRates(Map<String, Double> rates) {
        return rates.entrySet().stream().map(e -> e.getKey() + "=" + number(e.getValue()))
                .collect(Collectors.joining(";"));
    }

    private static String millis(long micros) {
        return number(micros / 1000.0);
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    /** Writes {@code results.md} and {@code results.csv} into {@code directory}. */
    void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("results.md"), markdown());
        Files.writeString(directory.resolve("results.csv"), csv());
    }
}
