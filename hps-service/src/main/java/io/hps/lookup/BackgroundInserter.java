package io.hps.lookup;

import io.hps.tier.Deadline;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fetches the keys a lookup answered with defaults (hit rate at or above the threshold) from the
 * tiers and inserts the found ones into the cache, off the request path. Runs on one daemon
 * thread per session with a bounded queue; when the queue is full the insertion is dropped (the
 * keys stay misses and a later lookup tries again).
 */
final class BackgroundInserter implements Runnable {
    private final LookupSession session;
    private final LookupTable table;
    private final long[] keys;

    BackgroundInserter(LookupSession session, LookupTable table, long[] keys) {
        this.session = session;
        this.table = table;
        this.keys = keys;
    }

    static ThreadPoolExecutor executor(String model, int queue, LookupMetrics metrics) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, queue)),
                r -> {
                    Thread t = new Thread(r, "hps-insert-" + model + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public void run() {
        long row = table.vectorBytes();
        boolean[] found = new boolean[keys.length];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vectors = arena.allocate(keys.length * row, 64);
            Deadline deadline = Deadline.inNanos(TimeUnit.MILLISECONDS.toNanos(session.settings().tierTimeoutMillis()));
            int t = session.tables().indexOf(table);
            long epoch = session.updateEpoch(t);
            session.fetch(table.table(), keys, keys.length, vectors, found, deadline);
            int kept = 0;
            for (int i = 0; i < keys.length; i++) {
                if (found[i]) {
                    if (kept != i) {
                        keys[kept] = keys[i];
                        MemorySegment.copy(vectors, i * row, vectors, kept * row, row);
                    }
                    kept++;
                }
            }
            if (kept > 0) {
                table.cache().replace(keys, 0, kept, vectors, 0);
                session.dropIfUpdated(t, epoch, keys, kept);
            }
            session.metrics().recordInserted(kept);
        }
    }
}
