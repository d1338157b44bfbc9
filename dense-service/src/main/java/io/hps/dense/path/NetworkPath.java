package io.hps.dense.path;

import io.hps.dense.EmbeddingType;
import io.hps.dense.cpu.DlrmNetwork;
import io.hps.model.DlrmArchitecture;
import io.hps.wire.EmbeddingSection;
import io.hps.wire.ErrorCode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * What every path shares: the dense network, input checks, the pool of {@link Workspace}s and
 * the "score" request (embeddings inline). A subclass supplies the lookup of "infer".
 */
abstract class NetworkPath implements ScoringPath {
    private final PathSettings settings;
    private final DlrmNetwork network;
    private final int maxBatch;
    private final Arena arena = Arena.ofShared();
    private final BlockingQueue<Workspace> workspaces;
    final PathMetrics metrics;

    NetworkPath(PathSettings settings, DlrmNetwork network, int maxBatch, PathMetrics metrics) {
        this.settings = settings;
        this.network = network;
        this.maxBatch = maxBatch;
        this.metrics = metrics;
        this.workspaces = new ArrayBlockingQueue<>(settings.workspaces());
        for (int i = 0; i < settings.workspaces(); i++) {
            workspaces.add(new Workspace(network.architecture(), maxBatch, arena));
        }
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public PathKind kind() {
        return settings.kind();
    }

    @Override
    public DlrmArchitecture architecture() {
        return network.architecture();
    }

    @Override
    public int maxBatchSize() {
        return maxBatch;
    }

    @Override
    public PathMetrics metrics() {
        return metrics;
    }

    PathSettings settings() {
        return settings;
    }

    @Override
    public final void score(int batch, MemorySegment dense, MemorySegment keys, float[] out) {
        InputCheck.infer(this, batch, dense, keys, out);
        Workspace ws = acquire();
        try {
            lookupAndForward(ws, batch, dense, keys, out);
        } finally {
            workspaces.add(ws);
        }
    }

    /** Gathers the embeddings of {@code keys} into {@code ws} (or a frame) and calls {@link #forward}. */
    abstract void lookupAndForward(Workspace ws, int batch, MemorySegment dense, MemorySegment keys, float[] out);

    @Override
    public final void scoreEmbeddings(int batch, MemorySegment dense, EmbeddingSection embeddings, float[] out) {
        InputCheck.batch(name(), batch, maxBatch, out);
        InputCheck.dense(name(), architecture(), batch, dense);
        Workspace ws = acquire();
        try {
            MemorySegment vectors = SectionGather.sampleMajor(name(), architecture(), batch, embeddings,
                    ws.embeddings);
            forward(batch, dense, vectors, SectionGather.type(embeddings.dtype()), out);
        } finally {
            workspaces.add(ws);
        }
    }

    /** Runs the network and records its latency and the batch size. */
    final void forward(int batch, MemorySegment dense, MemorySegment embeddings, EmbeddingType type, float[] out) {
        long start = System.nanoTime();
        network.forward(batch, dense, embeddings, type, out);
        metrics.computed(batch, System.nanoTime() - start);
    }

    /** Starts the bottom MLP on the network's workers; the caller awaits the pass on this thread. */
    final DlrmNetwork.BottomPass startBottom(int batch, MemorySegment dense, float[] bottom) {
        return network.startBottom(batch, dense, bottom);
    }

    /** Finishes a split forward and records its latency (the top half) and the batch size. */
    final void forwardTop(int batch, float[] bottom, MemorySegment embeddings, EmbeddingType type, float[] out) {
        long start = System.nanoTime();
        network.forwardTop(batch, bottom, embeddings, type, out);
        metrics.computed(batch, System.nanoTime() - start);
    }

    private Workspace acquire() {
        try {
            return workspaces.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScoringException(ErrorCode.INTERNAL, "interrupted while waiting for a workspace: model="
                    + name());
        }
    }

    /** Stops the network, then the subclass's resources, then frees the workspaces. */
    @Override
    public void close() {
        network.close();
        closeLookup();
        arena.close();
    }

    abstract void closeLookup();
}
