package io.hps.dense.gpu;

import io.hps.model.workload.Batch;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link GpuPath} whose requests never overlap: each one reaches the wrapped path only once the previous one has
 * completed, normally or not. For paths that must serve one request at a time ({@link GpuEnsemblePath}) behind a
 * transport that calls from several threads.
 *
 * <p>Threads: {@link #score} may be called from any thread and returns at once; the wrapped path's {@code score}
 * runs on the thread that completed the previous request (or the caller's, when none is in flight). The batch's
 * arrays are read when its turn comes, so the caller must not reuse them before its future completes.
 */
public final class SerialGpuPath implements GpuPath {

    private final GpuPath path;
    private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

    /** Takes ownership of {@code path}: {@link #close} closes it. */
    public SerialGpuPath(GpuPath path) {
        this.path = path;
    }

    @Override
    public CompletableFuture<float[]> score(Batch batch) {
        CompletableFuture<float[]> scores;
        synchronized (this) {
            scores = last.handle((ignored, failure) -> batch).thenCompose(path::score);
            last = scores;
        }
        return scores;
    }

    /** Closes the wrapped path, which waits for its work in flight. */
    @Override
    public void close() {
        path.close();
    }
}
