package io.hps.gateway.stats;

import java.util.concurrent.atomic.LongAdder;

/** A count and the nanoseconds summed over it, as Triton's statistics report them. Thread-safe. */
public final class TimedCount {
    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    void add(long durationNanos) {
        count.increment();
        nanos.add(Math.max(0, durationNanos));
    }

    public long count() {
        return count.sum();
    }

    public long nanos() {
        return nanos.sum();
    }

    double micros() {
        return nanos.sum() / 1000.0;
    }
}
