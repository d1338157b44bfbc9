package io.hps.load;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * One load step, perf_analyzer's way: warm-up, then windows of {@code windowMillis} until the last
 * three throughputs are within the stability percentage or {@code maxWindows} have passed; the
 * result merges the last three windows. The server's statistics (and hps-service's hit counters,
 * when a metrics URL is given) are sampled at every window boundary, and the breakdown covers the
 * same last three windows as the client percentiles.
 */
final class Measurement {
    private final GatewayProbe probe;
    private final Optional<URI> prometheus;

    Measurement(GatewayProbe probe, Optional<URI> prometheus) {
        this.probe = probe;
        this.prometheus = prometheus;
    }

    StepResult run(LoadSettings settings, RequestBodies bodies, WorkloadMode mode)
            throws IOException, InterruptedException {
        Supplier<Exchange> exchanges = () -> new GatewayExchange(settings.gateway(), settings.model(),
                bodies.headerLength(), settings.requestTimeoutMillis());
        return run(settings, bodies, mode, exchanges);
    }

    StepResult run(LoadSettings settings, RequestBodies bodies, WorkloadMode mode, Supplier<Exchange> exchanges)
            throws IOException, InterruptedException {
        List<Window> windows = new ArrayList<>();
        List<StatsSnapshot> stats = new ArrayList<>();
        List<HitRates> hits = new ArrayList<>();
        try (LoadDriver driver = LoadDriver.start(settings, bodies, exchanges, settings.longestMillis() + 1000)) {
            Thread.sleep(settings.warmupMillis());
            driver.window();
            sample(settings.model(), stats, hits);
            while (windows.size() < settings.maxWindows() && !stable(windows, settings.stabilityPercent())) {
                Thread.sleep(settings.windowMillis());
                windows.add(driver.window());
                sample(settings.model(), stats, hits);
            }
        }
        int first = Math.max(0, stats.size() - 1 - Stability.WINDOWS);
        return result(settings, mode, windows, stats.getLast().since(stats.get(first)),
                hits.getLast().ratesSince(hits.get(first)));
    }

    /** Server counters at a window boundary; element {@code i} closes window {@code i - 1}. */
    private void sample(String model, List<StatsSnapshot> stats, List<HitRates> hits)
            throws IOException, InterruptedException {
        stats.add(probe.statistics(model));
        hits.add(probe.hitCounters(prometheus));
    }

    static boolean stable(List<Window> windows, double percent) {
        return Stability.stable(windows.stream().map(Window::requestsPerSecond).toList(), percent);
    }

    private static StepResult result(LoadSettings settings, WorkloadMode mode, List<Window> windows,
                                     ServerBreakdown server, Map<String, Double> hitRates) {
        List<Window> last = windows.subList(Math.max(0, windows.size() - Stability.WINDOWS), windows.size());
        Histogram merged = new Histogram(LoadDriver.MAX_MICROS, 3);
        long errors = 0;
        long nanos = 0;
        for (Window window : last) {
            merged.add(window.latenciesMicros());
            errors += window.errors();
            nanos += window.elapsedNanos();
        }
        double rate = merged.getTotalCount() * 1e9 / Math.max(1, nanos);
        return new StepResult(settings.model(), settings.model(), settings.batchSize(), mode, settings.concurrency(),
                settings.requestsPerSecond(), windows.size(), stable(windows, settings.stabilityPercent()),
                merged.getTotalCount(), errors, rate, merged.getValueAtPercentile(50), merged.getValueAtPercentile(90),
                merged.getValueAtPercentile(95), merged.getValueAtPercentile(99), merged.getMaxValue(),
                merged.getTotalCount() == 0 ? 0 : merged.getMean(), server, hitRates, false, "");
    }
}
