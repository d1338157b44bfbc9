package io.hps.model.gen;

import io.hps.model.TableSpec;
import io.hps.model.sparse.SparseTableWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Generates and writes the embedding tables with several worker threads.
 *
 * <p>Every table is cut into chunks of {@link #CHUNK_ROWS} rows whose values {@link EmbeddingChunks}
 * computes from the seed, so the bytes depend on the seed only. Workers claim chunk descriptors through an atomic
 * cursor (tables in order), fill one reusable off-heap buffer each and write it positionally
 * ({@link SparseTableWriter#write}). Memory is therefore bounded by
 * {@code threads x CHUNK_ROWS x (8 + 4 x dimension)} bytes whatever the table sizes. Keys of a table are {@code 0 .. rows-1} in row order; each vector element is
 * uniform in {@code [-sqrt(1/rows), sqrt(1/rows))} (MLPerf DLRM initialisation).
 */
final class EmbeddingWriteJob {

    /** Rows per chunk: {@link EmbeddingChunks#CHUNK_ROWS}. */
    static final int CHUNK_ROWS = EmbeddingChunks.CHUNK_ROWS;
    private static final long TICK_MILLIS = 250;
    private static final ValueLayout.OfLong INT64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private record Chunk(int table, long index, long firstRow, int rows) {
    }

    private final List<TableSpec> tables;
    private final List<SparseTableWriter> writers;
    private final List<Chunk> chunks = new ArrayList<>();
    private final long seed;
    private final AtomicLong bytesWritten;
    private final AtomicInteger cursor = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private EmbeddingWriteJob(List<TableSpec> tables, List<SparseTableWriter> writers, long seed, AtomicLong bytesWritten) {
        this.tables = tables;
        this.writers = writers;
        this.seed = seed;
        this.bytesWritten = bytesWritten;
        for (int t = 0; t < tables.size(); t++) {
            long rows = tables.get(t).rows();
            for (long c = 0; c * CHUNK_ROWS < rows; c++) {
                chunks.add(new Chunk(t, c, c * CHUNK_ROWS, (int) Math.min(CHUNK_ROWS, rows - c * CHUNK_ROWS)));
            }
        }
    }

    /** Bytes of the {@code key} and {@code emb_vector} files of {@code tables}. */
    static long bytes(List<TableSpec> tables) {
        return tables.stream().mapToLong(t -> t.rows() * (Long.BYTES + (long) t.vectorBytes())).sum();
    }

    /**
     * Writes every table of {@code tables} into the matching directory of {@code directories} using
     * {@code threads} workers, adding the bytes of each finished chunk to {@code bytesWritten}. The
     * calling thread waits and runs {@code tick} about four times a second.
     */
    static void run(List<TableSpec> tables, List<Path> directories, long seed, int threads, AtomicLong bytesWritten,
                    Runnable tick) throws IOException {
        List<SparseTableWriter> writers = new ArrayList<>(tables.size());
        try {
            for (int t = 0; t < tables.size(); t++) {
                writers.add(SparseTableWriter.create(directories.get(t), tables.get(t).dimension(), false));
            }
            new EmbeddingWriteJob(tables, writers, seed, bytesWritten).runWorkers(threads, tick);
        } finally {
            closeAll(writers);
        }
    }

    private void runWorkers(int threads, Runnable tick) throws IOException {
        CountDownLatch done = new CountDownLatch(threads);
        int maxDimension = tables.stream().mapToInt(TableSpec::dimension).max().orElse(1);
        for (int i = 0; i < threads; i++) {
            Thread.ofPlatform().name("model-gen-" + i).daemon(true).start(() -> work(maxDimension, done));
        }
        awaitWorkers(done, tick);
        Throwable t = failure.get();
        switch (t) {
            case null -> { }
            case IOException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IOException("embedding generation failed", t);
        }
    }

    private void awaitWorkers(CountDownLatch done, Runnable tick) throws InterruptedIOException {
        try {
            while (!done.await(TICK_MILLIS, TimeUnit.MILLISECONDS)) {
                tick.run();
            }
        } catch (InterruptedException e) {
            failure.compareAndSet(null, e);
            awaitUninterruptibly(done);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("embedding generation interrupted");
        }
    }

    private static void awaitUninterruptibly(CountDownLatch done) {
        while (done.getCount() > 0) {
            try {
                done.await();
            } catch (InterruptedException ignored) {
                // keep waiting: workers stop after their current chunk and must not outlive the job
            }
        }
    }

    private void work(int maxDimension, CountDownLatch done) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keys = arena.allocate((long) CHUNK_ROWS * Long.BYTES, 64);
            MemorySegment vectors = arena.allocate((long) CHUNK_ROWS * maxDimension * Float.BYTES, 64);
            int next;
            while (failure.get() == null && (next = cursor.getAndIncrement()) < chunks.size()) {
                write(chunks.get(next), keys, vectors);
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            done.countDown();
        }
    }

    private void write(Chunk chunk, MemorySegment keys, MemorySegment vectors) {
        TableSpec table = tables.get(chunk.table());
        long keyBytes = (long) chunk.rows() * Long.BYTES;
        long vectorBytes = (long) chunk.rows() * table.vectorBytes();
        for (int i = 0; i < chunk.rows(); i++) {
            keys.setAtIndex(INT64_LE, i, chunk.firstRow() + i);
        }
        EmbeddingChunks.fill(seed, chunk.table(), chunk.index(), chunk.rows(), table.dimension(), table.rows(),
                vectors);
        try {
            writers.get(chunk.table()).write(chunk.firstRow(), keys.asSlice(0, keyBytes),
                    vectors.asSlice(0, vectorBytes), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        bytesWritten.addAndGet(keyBytes + vectorBytes);
    }

    private static void closeAll(List<SparseTableWriter> writers) throws IOException {
        IOException first = null;
        for (SparseTableWriter w : writers) {
            try {
                w.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
