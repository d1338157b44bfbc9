package io.hps.gpu;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that owns a CUDA device: it makes the device's primary context current, creates the
 * device's stream, and runs every CUDA call for that device, in submission order.
 *
 * <p>Threads: {@link #submit} may be called from any thread and never blocks; the returned future completes
 * on the owner thread. Event loops (Netty, Reactor) must compose on the future and never wait on it
 * ({@code join()}, {@code get()}, {@code block()}).
 *
 * <p>Idle: after a task the thread keeps polling its queue for {@link #SPIN_MICROS_PROPERTY} microseconds (default
 * {@value #DEFAULT_SPIN_MICROS}, 0 parks at once) before it parks, so a task submitted while a request is in flight
 * (the answer of another process, a network reply) starts without a thread wake-up. Spinning occupies one core per
 * device for at most that long after each task.
 */
public final class DeviceOwner implements AutoCloseable {

    private static final long CLOSE_TIMEOUT_SECONDS = 30;

    /** System property: microseconds the owner thread polls for work after a task before it parks. */
    public static final String SPIN_MICROS_PROPERTY = "hps.gpu.ownerSpinMicros";

    /** Default of {@link #SPIN_MICROS_PROPERTY}: longer than a same-host lookup round trip. */
    public static final long DEFAULT_SPIN_MICROS = 2000;

    private final int ordinal;
    private final ExecutorService executor;
    private final DeviceContext context;

    private DeviceOwner(int ordinal, ExecutorService executor, DeviceContext context) {
        this.ordinal = ordinal;
        this.executor = executor;
        this.context = context;
    }

    /** Starts the owner thread and opens the context on it; blocks until done. */
    static DeviceOwner start(int ordinal) {
        long spinNanos = TimeUnit.MICROSECONDS.toNanos(Long.getLong(SPIN_MICROS_PROPERTY, DEFAULT_SPIN_MICROS));
        ExecutorService executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new SpinningQueue(spinNanos),
                r -> {
                    Thread t = new Thread(r, "hps-cuda-" + ordinal);
                    t.setDaemon(true);
                    return t;
                });
        try {
            DeviceContext context = CompletableFuture.supplyAsync(() -> DeviceContext.open(ordinal), executor).join();
            return new DeviceOwner(ordinal, executor, context);
        } catch (CompletionException e) {
            executor.shutdownNow();
            throw new GpuException("device start failed: ordinal=" + ordinal, e.getCause());
        }
    }

    public int ordinal() {
        return ordinal;
    }

    /** Device name as reported by the driver, e.g. "NVIDIA H100 80GB HBM3". */
    public String name() {
        return context.deviceName();
    }

    /** Runs {@code task} on the owner thread; the future fails with whatever the task threw. */
    public <T> CompletableFuture<T> submit(DeviceTask<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(task.run(context));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** Closes the context's stream and modules on the owner thread, then stops the thread. Idempotent. */
    @Override
    public void close() {
        if (executor.isShutdown()) {
            return;
        }
        submit(c -> {
            c.close();
            return null;
        }).exceptionally(t -> null);
        executor.shutdown();
        try {
            executor.awaitTermination(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The owner's work queue: {@link #take()} polls for a while before it parks. */
    private static final class SpinningQueue extends LinkedBlockingQueue<Runnable> {

        private final long spinNanos;

        SpinningQueue(long spinNanos) {
            this.spinNanos = spinNanos;
        }

        @Override
        public Runnable take() throws InterruptedException {
            if (spinNanos > 0) {
                long end = System.nanoTime() + spinNanos;
                do {
                    Runnable r = poll();
                    if (r != null) {
                        return r;
                    }
                    Thread.onSpinWait();
                } while (System.nanoTime() - end < 0);
            }
            return super.take();
        }
    }
}
