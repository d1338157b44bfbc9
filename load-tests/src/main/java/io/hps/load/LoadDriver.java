package io.hps.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Worker threads sending requests until closed or until their hard deadline. Closed loop: each of
 * {@code concurrency} workers sends its next request as soon as the previous one is answered.
 * Open loop: request {@code i} is due at {@code start + i / rate}; a free worker waits for the
 * due time and sends, and its latency is measured from the due time, not from the actual send,
 * so that a stalled server shows in the percentiles (coordinated-omission correction). Latencies
 * are recorded in microseconds into an HdrHistogram {@link Recorder}; {@link #window()} is called
 * by one controlling thread.
 */
final class LoadDriver implements AutoCloseable {
    /** Largest latency recorded without clamping: one hour, in microseconds. */
    static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

    private final Recorder recorder = new Recorder(MAX_MICROS, 3);
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final List<Thread> workers = new ArrayList<>();
    private final long startNanos;
    private final long deadlineNanos;
    private final double intervalNanos;
    private final RequestBodies bodies;
    private final long joinMillis;
    private volatile boolean stopped;
    private long windowStartNanos;

    private LoadDriver(LoadSettings settings, RequestBodies bodies, long deadlineMillis) {
        this.bodies = bodies;
        this.startNanos = System.nanoTime();
        this.windowStartNanos = startNanos;
        this.deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        this.intervalNanos = settings.openLoop() ? 1e9 / settings.requestsPerSecond() : 0;
        this.joinMillis = settings.requestTimeoutMillis() + 1000;
    }

    /**
     * Starts the workers, each with an exchange of its own from {@code exchanges}; they stop by
     * themselves {@code deadlineMillis} after the start if {@link #close()} has not been called.
     */
    static LoadDriver start(LoadSettings settings, RequestBodies bodies, Supplier<Exchange> exchanges,
                            long deadlineMillis) {
        LoadDriver driver = new LoadDriver(settings, bodies, deadlineMillis);
        for (int w = 0; w < settings.concurrency(); w++) {
            Exchange exchange = exchanges.get();
            Thread worker = Thread.ofPlatform().daemon().name("load-worker-" + w).unstarted(() -> driver.run(exchange));
            driver.workers.add(worker);
        }
        driver.workers.forEach(Thread::start);
        return driver;
    }

    private void run(Exchange exchange) {
        try (exchange) {
            while (!stopped && System.nanoTime() < deadlineNanos) {
                long index = sequence.getAndIncrement();
                long from = intervalNanos > 0 ? startNanos + (long) (index * intervalNanos) : System.nanoTime();
                if (from >= deadlineNanos || !waitUntil(from)) {
                    return;
                }
                boolean ok = exchange.send(bodies.body(index));
                record(ok, System.nanoTime() - from);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean waitUntil(long dueNanos) {
        for (long wait = dueNanos - System.nanoTime(); wait > 0 && !stopped; wait = dueNanos - System.nanoTime()) {
            LockSupport.parkNanos(wait);
        }
        return !stopped;
    }

    private void record(boolean ok, long nanos) {
        if (stopped) {
            return;
        }
        if (ok) {
            recorder.recordValue(Math.clamp(TimeUnit.NANOSECONDS.toMicros(nanos), 0, MAX_MICROS));
        } else {
            errors.incrementAndGet();
        }
    }

    /** What was answered since the previous call (or the start): the window closes now. */
    Window window() {
        long now = System.nanoTime();
        Histogram latencies = recorder.getIntervalHistogram();
        Window window = new Window(latencies, errors.getAndSet(0), Math.max(1, now - windowStartNanos));
        windowStartNanos = now;
        return window;
    }

    /** Stops the workers and waits for each, at most the request timeout plus a second. */
    @Override
    public void close() {
        stopped = true;
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(joinMillis);
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
            long left = until - System.nanoTime();
            try {
                if (left <= 0 || !worker.join(Duration.ofNanos(left))) {
                    worker.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
