package io.hps.load;

import java.net.URI;

/**
 * One load step: where, what and how hard.
 *
 * @param gateway           base URL of the gateway, e.g. {@code http://127.0.0.1:8000}
 * @param model             gateway model name
 * @param batchSize         samples per request
 * @param concurrency       closed loop: requests in flight; open loop: workers (the most in flight)
 * @param requestsPerSecond open loop rate; 0 selects the closed loop
 * @param warmupMillis      traffic before the first measured window
 * @param windowMillis      length of one measurement window
 * @param stabilityPercent  the last three windows' throughputs must lie within this percentage of their mean
 * @param maxWindows        windows measured at most (at least three)
 * @param requestTimeoutMillis longest wait for one answer
 */
record LoadSettings(URI gateway, String model, int batchSize, int concurrency, double requestsPerSecond,
                    long warmupMillis, long windowMillis, double stabilityPercent, int maxWindows,
                    long requestTimeoutMillis) {
    LoadSettings {
        if (batchSize < 1 || concurrency < 1 || maxWindows < Stability.WINDOWS) {
            throw new IllegalArgumentException("need batchSize >= 1, concurrency >= 1, maxWindows >= 3: batchSize="
                    + batchSize + " concurrency=" + concurrency + " maxWindows=" + maxWindows);
        }
        if (requestsPerSecond < 0 || warmupMillis < 0 || windowMillis < 1 || stabilityPercent <= 0
                || requestTimeoutMillis < 1) {
            throw new IllegalArgumentException("need rate >= 0, warm-up >= 0, window >= 1, stability > 0, timeout >= 1:"
                    + " requestsPerSecond=" + requestsPerSecond + " warmupMillis=" + warmupMillis + " windowMillis="
                    + windowMillis + " stabilityPercent=" + stabilityPercent + " requestTimeoutMillis="
                    + requestTimeoutMillis);
        }
    }

    boolean openLoop() {
        return requestsPerSecond > 0;
    }

    LoadSettings withModel(String name, int batch) {
        return new LoadSettings(gateway, name, batch, concurrency, requestsPerSecond, warmupMillis, windowMillis,
                stabilityPercent, maxWindows, requestTimeoutMillis);
    }

    /** Longest time the step can take: warm-up plus every window. */
    long longestMillis() {
        return warmupMillis + windowMillis * maxWindows;
    }
}
