package io.hps.dense.cpu;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A fixed set of worker threads that run {@link ForwardJob} chunks. Each worker owns one
 * {@link ChunkScratch}, allocated when the workers start and reused for every chunk it runs.
 * Work is handed over through a bounded queue; a caller whose hand-over finds it full waits for
 * room. Thread-safe.
 */
final class ForwardWorkers implements AutoCloseable {

    private static final int QUEUE_PER_WORKER = 256;

    private final BlockingQueue<ForwardJob> queue;
    private final Thread[] threads;

    ForwardWorkers(int count, PackedDlrm model, String name) {
        this.queue = new ArrayBlockingQueue<>(count * QUEUE_PER_WORKER);
        this.threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            ChunkScratch scratch = model.newScratch();
            threads[i] = Thread.ofPlatform().daemon().name(name + "-" + i).unstarted(() -> work(scratch));
        }
        for (Thread t : threads) {
            t.start();
        }
    }

    int count() {
        return threads.length;
    }

    /** Whether the workers may read {@code segment} (it is not confined to another thread). */
    boolean canRead(MemorySegment segment) {
        return segment.isAccessibleBy(threads[0]);
    }

    /** Hands {@code job} to {@code helpers} workers; each drains chunks until none is left. */
    void submit(ForwardJob job, int helpers) {
        boolean interrupted = false;
        for (int i = 0; i < helpers; i++) {
            while (true) {
                try {
                    queue.put(job);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void work(ChunkScratch scratch) {
        try {
            while (true) {
                queue.take().drain(scratch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the workers and waits for them to exit; the owner must have let every call finish first. */
    @Override
    public void close() {
        for (Thread t : threads) {
            t.interrupt();
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
