package io.hps.dense.cpu;

import io.hps.dense.EmbeddingType;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The DLRM dense network on the CPU, with the Vector API: the forward pass that
 * {@link io.hps.model.reference.ReferenceDlrm} specifies, in float32.
 *
 * <p>Weights are packed once, at load, into panels of eight outputs for a register-blocked GEMM
 * (eight outputs by three vectors of samples per FMA block) whose epilogue adds the bias and
 * applies ReLU; activations are kept feature-major so that a layer's output is the next layer's
 * input as is. A call is split into chunks of up to {@link MicroKernel#CHUNK_SAMPLES} samples
 * (144 with AVX-512) that a fixed set of worker threads runs through the whole network, each chunk
 * on one worker with that worker's own scratch memory, allocated at load; the scratch size does
 * not depend on the batch size. A call allocates nothing in steady state: the per-call state
 * objects are pooled. Tuned for 512-bit vectors (32 vector registers); correct on any species.
 *
 * <p>Threads: {@code forward} may be called from any number of threads at once; the calling
 * thread blocks until its batch is scored. Buffers: the caller owns every buffer passed in and
 * must not modify the inputs or read {@code out} until the call returns; nothing is retained
 * after it returns. Close the network to stop its workers.
 *
 * <p>Scores agree with the float64 reference within 1e-5 relative (tested). Two calls on the same
 * input may differ in the last bit while the JIT warms up (the order of a lane reduction is left
 * open by the Vector API); they do not depend on the batch size or on how the batch is split.
 */
public final class DlrmNetwork implements AutoCloseable {

    private static final int POOLED_JOBS = 64;
    private static final int CLOSED = Integer.MIN_VALUE;
    private static final long CLOSE_POLL_NANOS = 100_000;

    private final PackedDlrm model;
    private final ForwardWorkers workers;
    private final BlockingQueue<ForwardJob> jobs = new ArrayBlockingQueue<>(POOLED_JOBS);
    private final AtomicInteger calls = new AtomicInteger();

    private DlrmNetwork(DlrmWeights weights, int threads) {
        this.model = new PackedDlrm(weights);
        this.workers = new ForwardWorkers(threads, model, "dlrm-cpu");
    }

    /** Packs {@code weights} and starts one worker per available processor. */
    public static DlrmNetwork load(DlrmWeights weights) {
        return load(weights, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Packs {@code weights} (they are copied; the record may be dropped afterwards) and starts
     * {@code threads} workers.
     */
    public static DlrmNetwork load(DlrmWeights weights, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: threads=" + threads);
        }
        return new DlrmNetwork(weights, threads);
    }

    public DlrmArchitecture architecture() {
        return model.architecture();
    }

    public int threads() {
        return workers.count();
    }

    /**
     * Scores a batch whose embeddings are float32 on the heap.
     *
     * @param batch      samples, {@code >= 0}
     * @param dense      {@code batch x denseFeatures} floats, sample-major (at least that many)
     * @param embeddings {@code batch x tables x dimension} floats, sample-major, then table (at least that many)
     * @param out        receives {@code batch} click probabilities in [0, 1]
     */
    public void forward(int batch, float[] dense, float[] embeddings, float[] out) {
        checkArrays(batch, dense, embeddings, out);
        run(batch, dense, embeddings, out, false);
    }

    /** {@link #forward(int, MemorySegment, MemorySegment, EmbeddingType, float[])} for float32 embeddings. */
    public void forward(int batch, MemorySegment dense, MemorySegment embeddings, float[] out) {
        forward(batch, dense, embeddings, EmbeddingType.FLOAT32, out);
    }

    /**
     * Scores a batch held in memory segments (direct buffers, mapped or shared memory), little-endian.
     * The segments are read by the worker threads, so they must not be confined to the caller.
     *
     * @param batch      samples, {@code >= 0}
     * @param dense      {@code batch x denseFeatures} float32, sample-major (at least that many bytes)
     * @param embeddings {@code batch x tables x dimension} elements of {@code type}, sample-major, then table
     * @param type       element encoding of {@code embeddings}; widened to float32
     * @param out        receives {@code batch} click probabilities in [0, 1]
     */
    public void forward(int batch, MemorySegment dense, MemorySegment embeddings, EmbeddingType type, float[] out) {
        checkSegments(batch, dense, embeddings, type, out);
        run(batch, dense, embeddings, type, out, false);
    }

    /**
     * Starts the first half of a split forward: the bottom MLP of {@code batch} samples runs on the
     * workers while the calling thread goes on (to fetch the embeddings, say); finish with
     * {@link BottomPass#await()} on the same thread, then {@link #forwardTop}. Scores equal those
     * of {@link #forward} bit for bit.
     *
     * @param dense     {@code batch x denseFeatures} float32, sample-major, readable by the workers;
     *                  not to be changed until {@link BottomPass#await()} returns
     * @param bottomOut receives {@code batch x embeddingDimension} floats, sample-major; not to be
     *                  read until {@link BottomPass#await()} returns
     */
    public BottomPass startBottom(int batch, MemorySegment dense, float[] bottomOut) {
        DlrmArchitecture a = model.architecture();
        checkBatch(batch, bottomOut);
        checkDense(batch, dense);
        long needed = (long) batch * a.embeddingDimension();
        if (bottomOut.length < needed) {
            throw new IllegalArgumentException("bottomOut too short: length=" + bottomOut.length + " needed=" + needed
                    + " batch=" + batch);
        }
        if (batch == 0) {
            return new BottomPass(null);
        }
        ForwardJob job = acquire();
        try {
            job.input().wrap(dense, MemorySegment.NULL, EmbeddingType.FLOAT32);
            int chunks = job.start(ForwardJob.Phase.BOTTOM, batch, chunkSamples(batch), bottomOut, null, false);
            workers.submit(job, Math.min(chunks, Math.max(1, workers.count() / 2)));
            return new BottomPass(job);
        } catch (RuntimeException e) {
            release(job);
            throw e;
        }
    }

    /**
     * The second half of a split forward: interaction and top MLP from the bottom MLP output that
     * {@link #startBottom} wrote, with the batch's embeddings as in
     * {@link #forward(int, MemorySegment, MemorySegment, EmbeddingType, float[])}.
     *
     * @param bottom {@code batch x embeddingDimension} floats, sample-major
     */
    public void forwardTop(int batch, float[] bottom, MemorySegment embeddings, EmbeddingType type, float[] out) {
        DlrmArchitecture a = model.architecture();
        checkBatch(batch, out);
        checkEmbeddings(batch, embeddings, type);
        if (bottom.length < (long) batch * a.embeddingDimension()) {
            throw new IllegalArgumentException("bottom too short: length=" + bottom.length + " batch=" + batch);
        }
        if (batch == 0) {
            return;
        }
        ForwardJob job = acquire();
        try {
            job.input().wrap(MemorySegment.NULL, embeddings, type);
            int chunks = job.start(ForwardJob.Phase.TOP, batch, chunkSamples(batch), bottom, out, false);
            workers.submit(job, Math.min(chunks, workers.count()));
            job.await();
        } finally {
            release(job);
        }
    }

    /** A bottom MLP pass in flight; {@link #await()} it exactly once, on the thread that started it. */
    public final class BottomPass {
        private ForwardJob job;

        private BottomPass(ForwardJob job) {
            this.job = job;
        }

        /**
         * Waits until the bottom MLP output is written, then frees the pass's resources.
         *
         * @throws ForwardFailedException if a chunk threw
         */
        public void await() {
            ForwardJob running = job;
            if (running == null) {
                return;
            }
            job = null;
            try {
                running.await();
            } finally {
                release(running);
            }
        }
    }

    /**
     * Runs synthetic batches for {@code duration}, so that the JIT compiles every kernel before
     * the first real call. Until C2 has compiled a kernel, the Vector API runs it in its
     * interpreted form, which boxes every vector: a batch whose chunks need a kernel not yet
     * compiled runs several times slower (seen for 5 to 20 s after start on a busy 2-core machine;
     * not seen with {@code -XX:-TieredCompilation}). Call it once after {@link #load}, before
     * reporting ready. Allocates the synthetic inputs; blocks the calling thread.
     */
    public void warmUp(Duration duration) {
        DlrmArchitecture a = model.architecture();
        int lanes = MicroKernel.LANES;
        // chunks of three-vector blocks, chunks of two vectors, one chunk of one vector: every kernel runs
        int[] batches = {workers.count() * MicroKernel.CHUNK_SAMPLES, workers.count() * 2 * lanes, lanes};
        int most = batches[0];
        float[] dense = new float[most * a.denseFeatures()];
        float[] embeddings = new float[most * a.tableCount() * a.embeddingDimension()];
        for (int i = 0; i < embeddings.length; i++) {
            embeddings[i] = (i % 7 - 3) * 0.01f;
        }
        float[] out = new float[most];
        long end = System.nanoTime() + duration.toNanos();
        for (int call = 0; call < batches.length || System.nanoTime() - end < 0; call++) {
            forward(batches[call % batches.length], dense, embeddings, out);
        }
    }

    /** Like {@link #forward(int, float[], float[], float[])} but writes the logits, before the sigmoid. */
    void logits(int batch, float[] dense, float[] embeddings, float[] out) {
        checkArrays(batch, dense, embeddings, out);
        run(batch, dense, embeddings, out, true);
    }

    private void run(int batch, float[] dense, float[] embeddings, float[] out, boolean logits) {
        if (batch == 0) {
            return;
        }
        ForwardJob job = acquire();
        try {
            job.input().wrap(dense, embeddings);
            execute(job, batch, out, logits);
        } finally {
            release(job);
        }
    }

    private void run(int batch, MemorySegment dense, MemorySegment embeddings, EmbeddingType type, float[] out,
                     boolean logits) {
        if (batch == 0) {
            return;
        }
        ForwardJob job = acquire();
        try {
            job.input().wrap(dense, embeddings, type);
            execute(job, batch, out, logits);
        } finally {
            release(job);
        }
    }

    private void execute(ForwardJob job, int batch, float[] out, boolean logits) {
        int chunks = job.start(batch, chunkSamples(batch), out, logits);
        workers.submit(job, Math.min(chunks, workers.count()));
        job.await();
    }

    /**
     * Samples per chunk: a whole number of vectors, at most {@link MicroKernel#CHUNK_SAMPLES},
     * with the chunk count a multiple of the workers so that they finish together.
     */
    private int chunkSamples(int batch) {
        int workerCount = workers.count();
        int chunks = Math.ceilDiv(Math.ceilDiv(batch, MicroKernel.CHUNK_SAMPLES), workerCount) * workerCount;
        return Math.ceilDiv(Math.ceilDiv(batch, chunks), MicroKernel.LANES) * MicroKernel.LANES;
    }

    private ForwardJob acquire() {
        while (true) {
            int c = calls.get();
            if (c < 0) {
                throw new IllegalStateException("network is closed");
            }
            if (calls.compareAndSet(c, c + 1)) {
                break;
            }
        }
        ForwardJob job = jobs.poll();
        return job != null ? job : new ForwardJob(model);
    }

    private void release(ForwardJob job) {
        job.clear();
        jobs.offer(job);
        calls.decrementAndGet();
    }

    private void checkArrays(int batch, float[] dense, float[] embeddings, float[] out) {
        DlrmArchitecture a = model.architecture();
        checkBatch(batch, out);
        long denseNeeded = (long) batch * a.denseFeatures();
        if (dense.length < denseNeeded) {
            throw new IllegalArgumentException("dense too short: length=" + dense.length + " needed=" + denseNeeded
                    + " batch=" + batch);
        }
        long embeddingsNeeded = (long) batch * a.tableCount() * a.embeddingDimension();
        if (embeddings.length < embeddingsNeeded) {
            throw new IllegalArgumentException("embeddings too short: length=" + embeddings.length
                    + " needed=" + embeddingsNeeded + " batch=" + batch);
        }
    }

    private void checkSegments(int batch, MemorySegment dense, MemorySegment embeddings, EmbeddingType type,
                               float[] out) {
        checkBatch(batch, out);
        checkDense(batch, dense);
        checkEmbeddings(batch, embeddings, type);
    }

    private void checkDense(int batch, MemorySegment dense) {
        checkReadable(batch, dense);
        long denseBytes = (long) batch * model.architecture().denseFeatures() * Float.BYTES;
        if (dense.byteSize() < denseBytes) {
            throw new IllegalArgumentException("dense segment too short: bytes=" + dense.byteSize()
                    + " needed=" + denseBytes + " batch=" + batch);
        }
    }

    private void checkEmbeddings(int batch, MemorySegment embeddings, EmbeddingType type) {
        DlrmArchitecture a = model.architecture();
        checkReadable(batch, embeddings);
        long embeddingBytes = (long) batch * a.tableCount() * a.embeddingDimension() * type.bytes();
        if (embeddings.byteSize() < embeddingBytes) {
            throw new IllegalArgumentException("embeddings segment too short: bytes=" + embeddings.byteSize()
                    + " needed=" + embeddingBytes + " batch=" + batch + " type=" + type);
        }
    }

    private void checkReadable(int batch, MemorySegment segment) {
        if (!workers.canRead(segment)) {
            throw new IllegalArgumentException("segments must be readable by the worker threads: allocate them in a"
                    + " shared, global or automatic arena, not a confined one: batch=" + batch);
        }
    }

    private static void checkBatch(int batch, float[] out) {
        if (batch < 0) {
            throw new IllegalArgumentException("batch must be >= 0: batch=" + batch);
        }
        if (out.length < batch) {
            throw new IllegalArgumentException("out too short: length=" + out.length + " batch=" + batch);
        }
    }

    /**
     * Refuses new calls, waits for the calls in flight, then stops the workers. Idempotent.
     */
    @Override
    public void close() {
        while (true) {
            int c = calls.get();
            if (c < 0) {
                return;
            }
            if (calls.compareAndSet(c, c + CLOSED)) {
                break;
            }
        }
        while (calls.get() != CLOSED) {
            LockSupport.parkNanos(CLOSE_POLL_NANOS);
        }
        workers.close();
    }
}
