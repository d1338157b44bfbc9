package io.hps.store;

import io.hps.cache.CacheMode;
import io.hps.cache.DeviceCache;
import io.hps.model.sparse.SparseChunk;
import io.hps.model.sparse.SparseTable;
import io.hps.tier.Deadline;
import io.hps.tier.EmbeddingTier;
import io.hps.tier.TierResult;
import io.hps.tier.TierTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Loads HugeCTR sparse tables into the hierarchy at start-up: the first
 * {@code initial_cache_rate} of each table's rows into the volatile tier, every row into the
 * persistent tier, and the cache filled as far as its mode asks (a static cache gets the whole
 * table; a dynamic one is warmed with the first rows up to its capacity when {@code init_ec}).
 *
 * <p>Vectors go from the memory-mapped {@code emb_vector} file to the tiers without an
 * intermediate copy; keys are copied into a reused {@code long[]} per chunk.
 */
final class ModelLoader {
    static final int CHUNK_ROWS = 16 * 1024;
    private static final Duration CHUNK_TIMEOUT = Duration.ofSeconds(60);

    private ModelLoader() {
    }

    /**
     * One table's destinations.
     *
     * @param volatileTier   may be null (volatile tier disabled)
     * @param persistentTier may be null (persistent tier disabled)
     * @param cache          may be null (no cache)
     */
    record Target(TierTable table, Path sparseDir, EmbeddingTier volatileTier, double initialCacheRate,
                  EmbeddingTier persistentTier, DeviceCache cache, boolean warmCache) {
    }

    /** Rows read, rows written to the volatile tier, rows written to the cache. */
    record TableLoad(long rows, long volatileRows, long cachedRows) {
    }

    static TableLoad load(String model, Target target, LoadProgress progress) {
        TierTable table = target.table();
        try (SparseTable sparse = SparseTable.open(target.sparseDir(), table.dimension())) {
            long rows = sparse.rows();
            long volatileRows = target.volatileTier() == null ? 0
                    : Math.min(rows, (long) Math.ceil(rows * target.initialCacheRate()));
            long cacheRows = cacheRows(target, rows);
            long[] keys = new long[CHUNK_ROWS];
            long done = 0;
            for (SparseChunk chunk : sparse.chunks(CHUNK_ROWS)) {
                int n = chunk.rows();
                java.lang.foreign.MemorySegment.copy(chunk.keys(), ValueLayout.JAVA_LONG_UNALIGNED.withOrder(
                        java.nio.ByteOrder.LITTLE_ENDIAN), 0, keys, 0, n);
                long first = chunk.firstRow();
                int toVolatile = (int) Math.max(0, Math.min(n, volatileRows - first));
                if (toVolatile > 0) {
                    check(target.volatileTier().put(table, keys, toVolatile, chunk.vectors(), deadline()), table, "volatile");
                }
                if (target.persistentTier() != null) {
                    check(target.persistentTier().put(table, keys, n, chunk.vectors(), deadline()), table, "persistent");
                }
                int toCache = (int) Math.max(0, Math.min(n, cacheRows - first));
                if (toCache > 0) {
                    target.cache().replace(keys, 0, toCache, chunk.vectors(), 0);
                }
                done += n;
                progress.tableProgress(model, table.table(), done, rows);
            }
            return new TableLoad(rows, volatileRows, cacheRows);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load sparse table: model=" + model + " table=" + table.table()
                    + " dir=" + target.sparseDir() + " error=" + e.getMessage(), e);
        }
    }

    private static long cacheRows(Target target, long rows) {
        DeviceCache cache = target.cache();
        if (cache == null) {
            return 0;
        }
        if (cache.mode() == CacheMode.STATIC) {
            if (rows > cache.capacity()) {
                throw new IllegalStateException("static table larger than its cache: table=" + target.table().table()
                        + " rows=" + rows + " capacity=" + cache.capacity());
            }
            return rows;
        }
        return target.warmCache() ? Math.min(rows, cache.capacity()) : 0;
    }

    private static Deadline deadline() {
        return Deadline.after(CHUNK_TIMEOUT);
    }

    private static void check(TierResult result, TierTable table, String tier) {
        if (!result.isOk()) {
            throw new IllegalStateException("loading into the " + tier + " tier failed: table=" + table.tag()
                    + " status=" + result.status() + " reason=" + result.reason());
        }
    }

    static List<String> tableNames(List<Target> targets) {
        return targets.stream().map(t -> t.table().table()).toList();
    }
}
