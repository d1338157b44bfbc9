package io.hps.dense.gpu;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.PinnedBuffer;
import io.hps.gpu.cache.DeviceHashTable;
import io.hps.gpu.cache.HashTableShape;
import io.hps.gpu.dense.GpuDlrm;
import io.hps.gpu.table.BatchStaging;
import io.hps.gpu.table.TableKeys;
import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.workload.Batch;
import io.hps.tier.Deadline;
import io.hps.tier.EmbeddingTier;
import io.hps.tier.TierTable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fused path on one GPU: the HPS lookup in-process, with an evicting device cache ({@link DeviceHashTable}) in
 * front of CPU tiers ({@link EmbeddingTier}: in-process hash map, Redis, RocksDB), the dense forward on the same
 * device, only the scores back.
 *
 * <p>Per request: keys and dense features through pinned staging to the device; one cache query into the
 * {@code [batch, tables, dimension]} embedding buffer; when keys missed, their indices come back, the missing keys
 * are fetched from the tiers (one call per table and tier, in order, under one deadline; a tier skips the keys an
 * earlier one found) and inserted into the cache synchronously; the
 * fetched rows reach their places in the embedding buffer through a per-request static table of the misses, queried
 * with the whole batch (keys that hit the cache are not in it and keep their rows), so a batch whose keys do not all
 * fit in the cache at once is still served whole. Then the forward and the scores. Keys no tier has get
 * the zero vector, which is cached like any other row. Every miss is inserted whatever the hit rate (no
 * asynchronous insertion).
 *
 * <p>Threads: see {@link GpuPath}. The tiers are called from the device's owner thread.
 */
public final class GpuFusedPath implements GpuPath {

    private static final Duration TIER_TIMEOUT = Duration.ofSeconds(5);

    private final DeviceOwner owner;
    private final GpuDlrm dlrm;
    private final DeviceHashTable cache;
    private final DeviceHashTable missTable;
    private final BatchStaging staging;
    private final MissBuffers missBuffers;
    private final List<EmbeddingTier> tiers;
    private final List<TierTable> tierTables;
    private final DlrmArchitecture arch;
    private final AtomicLong lookups = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private long tick;

    private GpuFusedPath(DeviceOwner owner, GpuDlrm dlrm, DeviceHashTable cache, DeviceHashTable missTable,
                         BatchStaging staging,
                         MissBuffers missBuffers, List<EmbeddingTier> tiers, List<TierTable> tierTables) {
        this.owner = owner;
        this.dlrm = dlrm;
        this.cache = cache;
        this.missTable = missTable;
        this.staging = staging;
        this.missBuffers = missBuffers;
        this.tiers = tiers;
        this.tierTables = tierTables;
        this.arch = dlrm.architecture();
    }

    /**
     * Uploads the dense weights and allocates an empty cache of at least {@code cacheRows} rows (all tables
     * together). {@code tier} stays owned by the caller and must hold the model's tables under {@code model}.
     * When a step after the weights' upload fails, the weights are freed before the future fails.
     */
    public static CompletableFuture<GpuFusedPath> load(DeviceOwner owner, DlrmWeights weights, EmbeddingTier tier,
                                                       String model, long cacheRows, GpuPathConfig config) {
        return load(owner, weights, List.of(tier), model, cacheRows, config);
    }

    /**
     * As {@link #load(DeviceOwner, DlrmWeights, EmbeddingTier, String, long, GpuPathConfig)} over a chain of tiers
     * asked in order (a parameter server's volatile, then persistent tier), at least one.
     */
    public static CompletableFuture<GpuFusedPath> load(DeviceOwner owner, DlrmWeights weights,
                                                       List<EmbeddingTier> tiers, String model, long cacheRows,
                                                       GpuPathConfig config) {
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("the fused path needs at least one tier: model=" + model);
        }
        List<EmbeddingTier> chain = List.copyOf(tiers);
        DlrmArchitecture arch = weights.architecture();
        List<TierTable> tierTables = arch.tables().stream().map(t -> TierTable.of(model, t)).toList();
        return GpuDlrm.load(owner, weights, config.dlrm()).thenCompose(dlrm -> owner.submit(context -> {
            DeviceHashTable cache = DeviceHashTable.allocate(context,
                    HashTableShape.evicting(cacheRows, arch.embeddingDimension()));
            BatchStaging staging = new BatchStaging(context, arch, config.maxBatchSize(), true);
            long lookups = (long) config.maxBatchSize() * arch.tableCount();
            DeviceHashTable missTable = DeviceHashTable.allocate(context,
                    HashTableShape.staticTable(lookups, arch.embeddingDimension()));
            MissBuffers missBuffers = new MissBuffers(context, lookups, staging.rowBytes());
            return new GpuFusedPath(owner, dlrm, cache, missTable, staging, missBuffers, chain, tierTables);
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

    /** Key lookups served so far (samples x tables). */
    public long lookups() {
        return lookups.get();
    }

    /** Lookups that missed the device cache on their first query. */
    public long misses() {
        return misses.get();
    }

    private float[] forward(DeviceContext context, Batch batch) {
        int n = batch.batchSize();
        int count = n * arch.tableCount();
        tick++;
        staging.enqueueInputs(batch);
        int missed = query(context, count);
        lookups.addAndGet(count);
        misses.addAndGet(missed);
        if (missed > 0) {
            insertMisses(context, missed, count);
        }
        dlrm.enqueueForward(context, n, staging.dense.pointer(), staging.embeddings.pointer());
        staging.enqueueScores(dlrm.scores(), n);
        context.synchronize();
        return staging.scores(n);
    }

    private int query(DeviceContext context, int count) {
        cache.query(staging.keys.pointer(), count, staging.embeddings.pointer(), staging.misses.pointer(), tick);
        cache.copyOutcomeAsync(staging.hostOutcome);
        context.synchronize();
        return staging.outcome().missed();
    }

    /**
     * Fetches the missed keys from the tiers, grouped by table, inserts them into the cache and writes their rows into
     * the embedding buffer; waits for it.
     */
    private void insertMisses(DeviceContext context, int missed, int count) {
        int[] indices = staging.missIndices(context, missed);
        int tables = arch.tableCount();
        int[] start = new int[tables + 1];
        for (int index : indices) {
            start[TableKeys.table(staging.stagedKey(index)) + 1]++;
        }
        for (int t = 0; t < tables; t++) {
            start[t + 1] += start[t];
        }
        long[] raw = new long[missed];
        int[] fill = start.clone();
        MemorySegment encoded = missBuffers.hostKeys.segment();
        for (int index : indices) {
            long key = staging.stagedKey(index);
            int at = fill[TableKeys.table(key)]++;
            raw[at] = TableKeys.key(key);
            encoded.setAtIndex(ValueLayout.JAVA_LONG, at, key);
        }
        fetch(raw, start);
        missBuffers.keys.copyFromAsync(missBuffers.hostKeys, (long) missed * Long.BYTES);
        missBuffers.rows.copyFromAsync(missBuffers.hostRows, missed * staging.rowBytes());
        cache.replace(missBuffers.keys.pointer(), missed, missBuffers.rows.pointer(), tick);
        missTable.clear();
        missTable.replace(missBuffers.keys.pointer(), missed, missBuffers.rows.pointer(), tick);
        missTable.query(staging.keys.pointer(), count, staging.embeddings.pointer(), staging.misses.pointer(), tick);
        context.synchronize();
    }

    private void fetch(long[] raw, int[] start) {
        long rowBytes = staging.rowBytes();
        Deadline deadline = Deadline.after(TIER_TIMEOUT);
        for (int t = 0; t < tierTables.size(); t++) {
            int count = start[t + 1] - start[t];
            if (count == 0) {
                continue;
            }
            long[] keys = Arrays.copyOfRange(raw, start[t], start[t + 1]);
            MemorySegment out = missBuffers.hostRows.segment().asSlice(start[t] * rowBytes, count * rowBytes);
            boolean[] found = new boolean[count];
            for (EmbeddingTier tier : tiers) {
                tier.get(tierTables.get(t), keys, count, out, found, deadline);
            }
            for (int i = 0; i < count; i++) {
                if (!found[i]) {
                    out.asSlice(i * rowBytes, rowBytes).fill((byte) 0);
                }
            }
        }
    }

    @Override
    public void close() {
        owner.submit(context -> {
            context.synchronize();
            cache.close();
            missTable.close();
            staging.close();
            missBuffers.close();
            return null;
        }).join();
        dlrm.close();
    }

    /** Pinned and device buffers for the keys and rows of one batch's misses. */
    private static final class MissBuffers implements AutoCloseable {
        final PinnedBuffer hostKeys;
        final PinnedBuffer hostRows;
        final DeviceBuffer keys;
        final DeviceBuffer rows;

        MissBuffers(DeviceContext context, long lookups, long rowBytes) {
            this.hostKeys = context.allocatePinned(lookups * Long.BYTES);
            this.hostRows = context.allocatePinned(lookups * rowBytes);
            this.keys = context.allocate(lookups * Long.BYTES);
            this.rows = context.allocate(lookups * rowBytes);
        }

        @Override
        public void close() {
            hostKeys.close();
            hostRows.close();
            keys.close();
            rows.close();
        }
    }

    /** Total rows of {@code tables}: a cache of this many rows holds the whole model. */
    public static long rows(List<TableSpec> tables) {
        return tables.stream().mapToLong(TableSpec::rows).sum();
    }
}
