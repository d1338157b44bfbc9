package io.hps.dense.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One forward call split into chunks of samples that workers claim one at a time. A job is
 * reused across calls (see {@link DlrmNetwork}); the caller thread that {@linkplain #start starts}
 * it owns it until {@link #await} returns.
 *
 * <p>Claims: {@code claims} packs the chunk count (high 32 bits) and the next unclaimed chunk
 * (low 32 bits). A finished job has {@code next == count}, so a worker that picks it up late,
 * even after the job has been restarted for another call, either finds nothing to claim or claims
 * a chunk of the new call after its fields were published by the {@code claims} write.
 */
final class ForwardJob {

    private final PackedDlrm model;
    private final BatchInput input = new BatchInput();
    private final AtomicLong claims = new AtomicLong();
    private final AtomicInteger remaining = new AtomicInteger();
    private int batch;
    private int chunkSamples;
    private float[] out;
    private float[] bottom;
    private Phase phase = Phase.WHOLE;
    private boolean logits;
    private volatile Thread waiter;
    private volatile Throwable failure;

    ForwardJob(PackedDlrm model) {
        this.model = model;
    }

    /** The input flyweight to wrap before {@link #start}; caller thread only. */
    BatchInput input() {
        return input;
    }

    /**
     * Publishes a call of {@code batch >= 1} samples split into chunks of {@code chunkSamples}.
     *
     * @return the number of chunks
     */
    int start(int batch, int chunkSamples, float[] out, boolean logits) {
        return start(Phase.WHOLE, batch, chunkSamples, null, out, logits);
    }

    /**
     * Publishes a call that runs only {@code phase} of the network: the bottom MLP into
     * {@code bottom} ({@code out} unused), or the rest from {@code bottom} into {@code out}.
     *
     * @return the number of chunks
     */
    int start(Phase phase, int batch, int chunkSamples, float[] bottom, float[] out, boolean logits) {
        this.phase = phase;
        this.bottom = bottom;
        this.batch = batch;
        this.chunkSamples = chunkSamples;
        this.out = out;
        this.logits = logits;
        this.failure = null;
        this.waiter = Thread.currentThread();
        int chunks = (batch + chunkSamples - 1) / chunkSamples;
        remaining.set(chunks);
        claims.set((long) chunks << 32);
        return chunks;
    }

    /** Runs chunks on the calling worker until none is left to claim. */
    void drain(ChunkScratch scratch) {
        for (int chunk = claim(); chunk >= 0; chunk = claim()) {
            try {
                int row0 = chunk * chunkSamples;
                int rows = Math.min(chunkSamples, batch - row0);
                switch (phase) {
                    case WHOLE -> model.run(input, row0, rows, scratch, out, logits);
                    case BOTTOM -> model.runBottom(input, row0, rows, scratch, bottom);
                    case TOP -> model.runTop(input, row0, rows, scratch, bottom, out, logits);
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (remaining.decrementAndGet() == 0) {
                    LockSupport.unpark(waiter);
                }
            }
        }
    }

    private int claim() {
        while (true) {
            long state = claims.get();
            int next = (int) state;
            if (next >= (int) (state >>> 32)) {
                return -1;
            }
            if (claims.compareAndSet(state, state + 1)) {
                return next;
            }
        }
    }

    /**
     * Waits, on the thread that called {@link #start}, until every chunk has run; keeps the
     * thread's interrupt status but does not stop waiting for it (chunks are short).
     *
     * @throws ForwardFailedException if a chunk threw
     */
    void await() {
        boolean interrupted = false;
        while (remaining.get() > 0) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure;
        if (t != null) {
            throw new ForwardFailedException("forward failed in a worker: batch=" + batch + " cause=" + t, t);
        }
    }

    /** Drops references to the finished call's buffers. */
    void clear() {
        input.clear();
        out = null;
        bottom = null;
        waiter = null;
        failure = null;
    }

    /** What a call runs: the whole network, or one half of a split forward. */
    enum Phase {
        WHOLE, BOTTOM, TOP
    }
}
