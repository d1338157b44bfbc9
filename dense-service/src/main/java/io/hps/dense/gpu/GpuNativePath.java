package io.hps.dense.gpu;

import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.cache.TableOutcome;
import io.hps.gpu.dense.GpuDlrm;
import io.hps.gpu.table.BatchStaging;
import io.hps.gpu.table.RowSource;
import io.hps.gpu.table.StaticEmbeddingTable;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.workload.Batch;
import java.util.concurrent.CompletableFuture;

/**
 * The native path on one GPU: every embedding row resident in a static device table, the lookup and the dense
 * forward on the device, only the scores back. Per request: keys and dense features through pinned staging to the
 * device, one table query into the {@code [batch, tables, dimension]} embedding buffer, the forward, the scores
 * and the query's outcome back in one copy; unknown keys (rare) cost a second pass with zero vectors.
 *
 * <p>Threads: see {@link GpuPath}.
 */
public final class GpuNativePath implements GpuPath {

    private final DeviceOwner owner;
    private final GpuDlrm dlrm;
    private final StaticEmbeddingTable table;
    private final BatchStaging staging;
    private final DlrmArchitecture arch;

    private GpuNativePath(DeviceOwner owner, GpuDlrm dlrm, StaticEmbeddingTable table, BatchStaging staging) {
        this.owner = owner;
        this.dlrm = dlrm;
        this.table = table;
        this.staging = staging;
        this.arch = dlrm.architecture();
    }

    /**
     * Uploads the dense weights and every row of the architecture's tables from {@code rows}; the future completes
     * when the path can serve.
     * When a step after the weights' upload fails, the weights are freed before the future fails.
     */
    public static CompletableFuture<GpuNativePath> load(DeviceOwner owner, DlrmWeights weights, RowSource rows,
                                                        GpuPathConfig config) {
        return GpuDlrm.load(owner, weights, config.dlrm()).thenCompose(dlrm -> owner.submit(context -> {
            DlrmArchitecture arch = weights.architecture();
            StaticEmbeddingTable table = StaticEmbeddingTable.load(context, arch.tables(), rows);
            return new GpuNativePath(owner, dlrm, table,
                    new BatchStaging(context, arch, config.maxBatchSize(), true));
        }).whenCompleteAsync((path, failure) -> {
            if (failure != null) {
                dlrm.close(); // off the owner thread: close waits for it
            }
        }));
    }

    @Override
    public CompletableFuture<float[]> score(Batch batch) {
        Batches.check(batch, arch, dlrm.config().maxBatchSize());
        return owner.submit(context -> forward(context, batch));
    }

    private float[] forward(DeviceContext context, Batch batch) {
        int n = batch.batchSize();
        int lookups = n * arch.tableCount();
        staging.enqueueInputs(batch);
        table.enqueueQuery(staging.keys.pointer(), lookups, staging.embeddings.pointer(), staging);
        runDense(context, n);
        TableOutcome outcome = staging.outcome();
        if (outcome.missed() > 0) {
            table.zeroMisses(context, staging, outcome.missed(), staging.embeddings.pointer());
            runDense(context, n);
        }
        return staging.scores(n);
    }

    private void runDense(DeviceContext context, int n) {
        dlrm.enqueueForward(context, n, staging.dense.pointer(), staging.embeddings.pointer());
        staging.enqueueScores(dlrm.scores(), n);
        context.synchronize();
    }

    @Override
    public void close() {
        owner.submit(context -> {
            context.synchronize();
            table.close();
            staging.close();
            return null;
        }).join();
        dlrm.close();
    }
}
