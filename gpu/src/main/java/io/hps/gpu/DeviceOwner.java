package io.hps.gpu;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that owns a CUDA device: it makes the device's primary context current, creates the
 * device's stream, and runs every CUDA call for that device, in submission order.
 *
 * <p>Threads: {@link #submit} may be called from any thread and never blocks; the returned future completes
 * on the owner thread. Event loops (Netty, Reactor) must compose on the future and never wait on it
 * ({@code join()}, {@code get()}, {@code block()}).
 */
public final class DeviceOwner implements AutoCloseable {

    private static final long CLOSE_TIMEOUT_SECONDS = 30;

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
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
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
}
