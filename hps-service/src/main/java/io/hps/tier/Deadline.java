package io.hps.tier;

import java.time.Duration;

/**
 * The instant by which a tier call must answer, on the {@link System#nanoTime()} clock. A call
 * whose deadline has passed returns {@link TierStatus#DEADLINE_EXCEEDED} instead of waiting.
 *
 * @param expiresAtNanos {@code System.nanoTime()} value at which the deadline passes
 */
public record Deadline(long expiresAtNanos) {

    /** A deadline {@code timeoutNanos} from now; zero or negative gives an already passed deadline. */
    public static Deadline inNanos(long timeoutNanos) {
        return new Deadline(System.nanoTime() + timeoutNanos);
    }

    /** A deadline {@code timeout} from now. */
    public static Deadline after(Duration timeout) {
        return inNanos(timeout.toNanos());
    }

    /** Nanoseconds left until the deadline; zero or negative once it has passed. */
    public long remainingNanos() {
        return expiresAtNanos - System.nanoTime();
    }

    /** Whether the deadline has passed. */
    public boolean expired() {
        return remainingNanos() <= 0;
    }
}
