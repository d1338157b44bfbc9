package io.hps.model.gen;

import java.time.Duration;

/**
 * How far a generation has come.
 *
 * @param bytesWritten payload bytes written so far (sparse keys and vectors, dense weights)
 * @param bytesTotal   payload bytes the model will have
 * @param elapsed      time since the generation started
 */
public record GenerationProgress(long bytesWritten, long bytesTotal, Duration elapsed) {

    /** Fraction done, 0 to 1. */
    public double fraction() {
        return bytesTotal == 0 ? 1.0 : (double) bytesWritten / bytesTotal;
    }

    /** Write rate so far, in bytes per second. */
    public double bytesPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? bytesWritten / seconds : 0;
    }

    /** Estimated time left at the rate so far; zero when done or when no rate is known yet. */
    public Duration remaining() {
        double rate = bytesPerSecond();
        return rate > 0 ? Duration.ofMillis((long) ((bytesTotal - bytesWritten) / rate * 1000)) : Duration.ZERO;
    }
}
