package io.hps.load;

import java.util.Map;

/**
 * One step of a study: one path (model) at one batch size. Latencies are client-side, in
 * microseconds, over the last three (stable) windows; throughput is requests/s and samples/s
 * (requests/s x batch). A skipped step carries its reason in {@code note} and zeros elsewhere.
 */
record StepResult(String path, String model, int batchSize, WorkloadMode mode, int concurrency,
                  double requestsPerSecondTarget, int windows, boolean stable, long requests, long errors,
                  double requestsPerSecond, long p50Micros, long p90Micros, long p95Micros, long p99Micros,
                  long maxMicros, double meanMicros, ServerBreakdown server, Map<String, Double> hitRates,
                  boolean skipped, String note) {
    StepResult {
        hitRates = Map.copyOf(hitRates);
    }

    static StepResult skipped(String path, String model, int batchSize, WorkloadMode mode, String note) {
        return new StepResult(path, model, batchSize, mode, 0, 0, 0, false, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                ServerBreakdown.NONE, Map.of(), true, note);
    }

    double samplesPerSecond() {
        return requestsPerSecond * batchSize;
    }

    StepResult withPath(String label) {
        return new StepResult(label, model, batchSize, mode, concurrency, requestsPerSecondTarget, windows, stable,
                requests, errors, requestsPerSecond, p50Micros, p90Micros, p95Micros, p99Micros, maxMicros, meanMicros,
                server, hitRates, skipped, note);
    }
}
