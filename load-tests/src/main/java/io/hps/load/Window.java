package io.hps.load;

import org.HdrHistogram.Histogram;

/**
 * What one measurement window saw: successful requests (the histogram's count, latencies in
 * microseconds), failed ones, and the window's length.
 */
record Window(Histogram latenciesMicros, long errors, long elapsedNanos) {
    Window {
        if (elapsedNanos <= 0) {
            throw new IllegalArgumentException("a window lasts > 0 ns: elapsedNanos=" + elapsedNanos);
        }
    }

    long requests() {
        return latenciesMicros.getTotalCount();
    }

    double requestsPerSecond() {
        return requests() * 1e9 / elapsedNanos;
    }
}
