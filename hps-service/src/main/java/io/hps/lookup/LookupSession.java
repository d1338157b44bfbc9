package io.hps.lookup;

import io.hps.cache.DeviceCache;
import io.hps.cache.KeyDeduplicator;
import io.hps.cache.MissList;
import io.hps.tier.Deadline;
import io.hps.tier.EmbeddingTier;
import io.hps.tier.TierResult;
import io.hps.tier.TierTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Answers batched key lookups for the tables of one model, HugeCTR's lookup session:
 * deduplicate the keys, query the cache, compute the hit rate over the distinct keys, then
 * <ul>
 *   <li>below {@link LookupSettings#hitRateThreshold()}: fetch the misses from the tiers in order
 *       (volatile, then persistent), insert what was found into the cache, and answer with it;</li>
 *   <li>at or above it: answer the misses with the table's default vector now and fetch and
 *       insert them in the background;</li>
 * </ul>
 * keys found nowhere get the default vector. {@link #lookup} queries the cache with every key of
 * the batch straight into the caller's buffer (a repeated key is read again, which is cheaper than
 * a second copy of every row) and writes the misses' vectors, resolved once per distinct key, to
 * each of their positions; the cache's own counters therefore count repeated keys. {@link #lookupUnique} hands the distinct vectors over
 * as they are with the inverse index.
 *
 * <p>Buffers: vectors are float32 rows of {@code dimension * 4} bytes laid back to back; the caller
 * owns every array and segment and the session writes them only during the call. The session's
 * scratch memory (distinct keys, miss lists and miss vectors) is allocated once, sized by the largest
 * table batch, in {@link LookupSettings#workspaces()} workspaces: that many lookups run at once,
 * further callers wait for a workspace.
 *
 * <p>Threads: lookups are blocking (tier calls wait up to the deadline) and thread-safe; call them
 * from worker threads, never from an event loop.
 */
public final class LookupSession implements AutoCloseable {
    private final String model;
    private final List<LookupTable> tables;
    private final Map<String, Integer> tableIndex;
    private final List<EmbeddingTier> tiers;
    private final LookupSettings settings;
    private final LookupMetrics metrics;
    private final BlockingQueue<Workspace> workspaces;
    private final ThreadPoolExecutor inserter;
    private final MemorySegment[] defaultVectors;
    private final Arena arena = Arena.ofShared();
    /** Per table: incremented before and after each update, so odd means an update is running. */
    private final java.util.concurrent.atomic.AtomicLongArray updateEpochs;

    /**
     * @param tiers the tiers below the cache, queried in this order (volatile first); may be empty
     *              for a static (native) model whose cache holds every row
     */
    public LookupSession(String model, List<LookupTable> tables, List<EmbeddingTier> tiers,
                         LookupSettings settings, LookupMetrics metrics) {
        this.model = model;
        this.tables = List.copyOf(tables);
        this.tableIndex = indexByName(this.tables);
        this.tiers = List.copyOf(tiers);
        this.settings = settings;
        this.metrics = metrics;
        int maxKeys = this.tables.stream().mapToInt(LookupTable::maxKeys).max().orElse(1);
        long maxRowBytes = this.tables.stream().mapToLong(LookupTable::vectorBytes).max().orElse(4);
        this.workspaces = new ArrayBlockingQueue<>(settings.workspaces());
        for (int i = 0; i < settings.workspaces(); i++) {
            workspaces.add(new Workspace(maxKeys, maxRowBytes, arena));
        }
        this.updateEpochs = new java.util.concurrent.atomic.AtomicLongArray(this.tables.size());
        this.defaultVectors = this.tables.stream().map(this::defaultVector).toArray(MemorySegment[]::new);
        this.inserter = BackgroundInserter.executor(model, settings.asyncInsertQueue(), metrics);
    }

    public String model() {
        return model;
    }

    public List<LookupTable> tables() {
        return tables;
    }

    /** Position of the named table, or -1. */
    public int tableIndex(String name) {
        return tableIndex.getOrDefault(name, -1);
    }

    /**
     * Looks up {@code count} keys of table {@code table} and writes their vectors to {@code out}:
     * the vector of {@code keys[offset + i]} at byte {@code outOffset + i * dimension * 4}.
     *
     * @throws IllegalArgumentException the table index is out of range, {@code count} exceeds the
     *     table's {@link LookupTable#maxKeys()}, or {@code out} is too small
     */
    public LookupOutcome lookup(int table, long[] keys, int offset, int count, MemorySegment out, long outOffset) {
        LookupTable t = checkedTable(table, count);
        checkRows(out, outOffset, count, t, "out");
        Workspace ws = acquire();
        try {
            int distinct = ws.dedup.deduplicate(keys, offset, count, ws.unique, ws.inverse);
            return fillInPlace(table, t, ws, keys, offset, count, distinct, out, outOffset);
        } finally {
            workspaces.add(ws);
        }
    }

    /**
     * Queries the cache (if any; without one every position misses) with all {@code count} keys
     * straight into {@code out}, then resolves the distinct missing keys once and writes each
     * one's vector to every position where it missed. Needs {@code ws.unique} and
     * {@code ws.inverse} filled by the deduplicator.
     */
    private LookupOutcome fillInPlace(int tableIdx, LookupTable t, Workspace ws, long[] keys, int offset, int count,
                                      int distinct, MemorySegment out, long outOffset) {
        long start = System.nanoTime();
        MissList misses = ws.misses;
        if (t.cache() != null) {
            t.cache().query(keys, offset, count, out, outOffset, misses);
        } else {
            allMissed(misses, count);
        }
        int missCount = distinctMisses(ws, misses);
        int cacheHits = distinct - missCount;
        MissResolution resolved = MissResolution.NONE;
        if (missCount > 0) {
            resolved = resolveMisses(tableIdx, t, ws, missCount, (double) cacheHits / distinct);
            long row = t.vectorBytes();
            for (int p = 0; p < misses.count(); p++) {
                int i = misses.indices()[p];
                MemorySegment.copy(ws.missVectors, ws.missSlot[ws.inverse[i]] * row, out, outOffset + i * row, row);
            }
            cacheFound(tableIdx, t, ws, missCount, resolved);
        }
        return record(count, distinct, cacheHits, resolved, start);
    }

    /**
     * Collects the distinct keys among the missed positions into {@code ws.missKeys} and points
     * {@code ws.missSlot[u]} of each missing distinct key {@code u} at its row there.
     */
    private static int distinctMisses(Workspace ws, MissList misses) {
        int[] positions = misses.indices();
        for (int p = 0; p < misses.count(); p++) {
            ws.missSlot[ws.inverse[positions[p]]] = -1;
        }
        int missCount = 0;
        for (int p = 0; p < misses.count(); p++) {
            int u = ws.inverse[positions[p]];
            if (ws.missSlot[u] < 0) {
                ws.missSlot[u] = missCount;
                ws.missKeys[missCount++] = ws.unique[u];
            }
        }
        return missCount;
    }

    /**
     * Looks up {@code count} keys of table {@code table} and writes only the distinct ones:
     * {@code uniqueOut} receives one row per distinct key (in order of first occurrence) and
     * {@code inverse[i]} the row of {@code keys[offset + i]}.
     *
     * @param uniqueOut at least {@code count} rows from {@code uniqueOffset}
     * @param inverse   at least {@code count} entries
     * @return what the lookup did; {@link LookupOutcome#uniqueKeys()} rows were written
     */
    public LookupOutcome lookupUnique(int table, long[] keys, int offset, int count,
                                      MemorySegment uniqueOut, long uniqueOffset, int[] inverse) {
        LookupTable t = checkedTable(table, count);
        if (inverse.length < count) {
            throw new IllegalArgumentException("inverse too small: length=" + inverse.length + " count=" + count);
        }
        Workspace ws = acquire();
        try {
            int distinct = ws.dedup.deduplicate(keys, offset, count, ws.unique, inverse);
            checkRows(uniqueOut, uniqueOffset, distinct, t, "uniqueOut");
            return fill(table, t, ws, distinct, uniqueOut.asSlice(uniqueOffset, distinct * t.vectorBytes()), count);
        } finally {
            workspaces.add(ws);
        }
    }

    /**
     * Fills {@code vectors} (one row per distinct key in {@code ws.unique}) from the cache, the
     * tiers and the default vector.
     */
    private LookupOutcome fill(int tableIdx, LookupTable t, Workspace ws, int distinct, MemorySegment vectors, int count) {
        long start = System.nanoTime();
        MissList misses = ws.misses;
        int cacheHits = queryCache(t, ws, distinct, vectors);
        int missCount = misses.count();
        MissResolution resolved = MissResolution.NONE;
        if (missCount > 0) {
            long row = t.vectorBytes();
            for (int m = 0; m < missCount; m++) {
                ws.missKeys[m] = ws.unique[misses.indices()[m]];
            }
            resolved = resolveMisses(tableIdx, t, ws, missCount, (double) cacheHits / distinct);
            for (int m = 0; m < missCount; m++) {
                MemorySegment.copy(ws.missVectors, m * row, vectors, misses.indices()[m] * row, row);
            }
            cacheFound(tableIdx, t, ws, missCount, resolved);
        }
        return record(count, distinct, cacheHits, resolved, start);
    }

    private LookupOutcome record(int count, int distinct, int cacheHits, MissResolution resolved, long start) {
        LookupOutcome outcome = new LookupOutcome(count, distinct, cacheHits, resolved.tierHits(),
                resolved.defaults(), resolved.tierErrors());
        metrics.record(outcome, System.nanoTime() - start);
        return outcome;
    }

    /**
     * Fills row {@code m} of {@code ws.missVectors} for each of the {@code missCount} keys in
     * {@code ws.missKeys}: below the hit-rate threshold (or without a cache) with what the tiers
     * hold, else the default vector, and with the default vector when found nowhere. Above the
     * threshold the keys are scheduled for a background insert.
     */
    private MissResolution resolveMisses(int tableIdx, LookupTable t, Workspace ws, int missCount, double hitRate) {
        long row = t.vectorBytes();
        if (t.cache() != null && hitRate >= settings.hitRateThreshold()) {
            for (int m = 0; m < missCount; m++) {
                MemorySegment.copy(defaultVectors[tableIdx], 0, ws.missVectors, m * row, row);
            }
            scheduleInsert(t, java.util.Arrays.copyOf(ws.missKeys, missCount));
            return new MissResolution(0, missCount, 0, -1);
        }
        Deadline deadline = Deadline.inNanos(TimeUnit.MILLISECONDS.toNanos(settings.tierTimeoutMillis()));
        long epoch = updateEpochs.get(tableIdx);
        java.util.Arrays.fill(ws.found, 0, missCount, false);
        int tierErrors = fetch(t.table(), ws.missKeys, missCount, ws.missVectors, ws.found, deadline);
        int tierHits = 0;
        for (int m = 0; m < missCount; m++) {
            if (ws.found[m]) {
                tierHits++;
            } else {
                MemorySegment.copy(defaultVectors[tableIdx], 0, ws.missVectors, m * row, row);
            }
        }
        return new MissResolution(tierHits, missCount - tierHits, tierErrors, epoch);
    }

    /** Inserts the rows the tiers returned into the cache; call after the miss rows were copied out. */
    private void cacheFound(int tableIdx, LookupTable t, Workspace ws, int missCount, MissResolution resolved) {
        if (t.cache() != null && resolved.tierHits() > 0) {
            int kept = compactFound(ws, missCount, t.vectorBytes());
            t.cache().replace(ws.missKeys, 0, kept, ws.missVectors, 0);
            dropIfUpdated(tableIdx, resolved.epoch(), ws.missKeys, kept);
        }
    }

    /**
     * What became of a lookup's cache misses; {@code epoch} is the table's update epoch read
     * before the tiers were asked (-1 when they were not).
     */
    private record MissResolution(int tierHits, int defaults, int tierErrors, long epoch) {
        static final MissResolution NONE = new MissResolution(0, 0, 0, -1);
    }

    private int queryCache(LookupTable t, Workspace ws, int distinct, MemorySegment vectors) {
        MissList misses = ws.misses;
        if (t.cache() != null) {
            return t.cache().query(ws.unique, 0, distinct, vectors, 0, misses);
        }
        allMissed(misses, distinct);
        return 0;
    }

    private static void allMissed(MissList misses, int count) {
        misses.clear();
        for (int i = 0; i < count; i++) {
            misses.add(i);
        }
    }

    /**
     * Rows read from the tiers and written to the cache may predate an update that ran meanwhile
     * (the update found them not cached yet, so it could not overwrite them): drop them then, and
     * the next lookup reads the tiers again.
     */
    void dropIfUpdated(int table, long epochBeforeRead, long[] keys, int count) {
        if ((epochBeforeRead & 1) != 0 || updateEpochs.get(table) != epochBeforeRead) {
            tables.get(table).cache().invalidate(keys, 0, count);
        }
    }

    /** The update epoch of a table, read before fetching rows that will be cached. */
    long updateEpoch(int table) {
        return updateEpochs.get(table);
    }

    /**
     * Runs an update of a table's keys: {@code writeTiers} writes the tiers, then the resident
     * keys' cached vectors are overwritten with {@code vectors}. Lookups that read the tiers
     * meanwhile do not leave stale rows in the cache.
     *
     * @return what {@code writeTiers} returned
     */
    public <T> T update(int table, long[] keys, int count, MemorySegment vectors,
                        java.util.function.Supplier<T> writeTiers) {
        DeviceCache cache = checkedTable(table, 0).cache();
        updateEpochs.incrementAndGet(table);
        try {
            T result = writeTiers.get();
            if (cache != null) {
                cache.update(keys, 0, count, vectors, 0);
            }
            return result;
        } finally {
            updateEpochs.incrementAndGet(table);
        }
    }

    /** Moves the keys and rows marked found to the front of the miss buffers; returns how many. */
    private static int compactFound(Workspace ws, int missCount, long row) {
        int kept = 0;
        for (int m = 0; m < missCount; m++) {
            if (ws.found[m]) {
                if (kept != m) {
                    ws.missKeys[kept] = ws.missKeys[m];
                    MemorySegment.copy(ws.missVectors, m * row, ws.missVectors, kept * row, row);
                }
                kept++;
            }
        }
        return kept;
    }

    /**
     * Asks each tier in turn for the keys not yet found; returns the number of tier calls that
     * failed or ran out of time.
     */
    int fetch(TierTable table, long[] keys, int count, MemorySegment out, boolean[] found, Deadline deadline) {
        int errors = 0;
        int remaining = count;
        for (int i = 0; i < tiers.size() && remaining > 0; i++) {
            EmbeddingTier tier = tiers.get(i);
            long start = System.nanoTime();
            TierResult result = tier.get(table, keys, count, out, found, deadline);
            metrics.recordTier(i, result, System.nanoTime() - start);
            remaining -= (int) result.count();
            if (!result.isOk()) {
                errors++;
            }
        }
        return errors;
    }

    private void scheduleInsert(LookupTable t, long[] keys) {
        try {
            inserter.execute(new BackgroundInserter(this, t, keys));
        } catch (java.util.concurrent.RejectedExecutionException dropped) {
            metrics.recordInsertDropped();
        }
    }

    /**
     * Re-reads {@code keys[0, count)} of a table from the tiers and overwrites the ones still
     * cached (the periodic refresh). Keys the tiers no longer hold stay as they are.
     *
     * @return keys overwritten in the cache
     */
    public int refreshCached(int table, long[] keys, int count) {
        LookupTable t = checkedTable(table, count);
        if (t.cache() == null || tiers.isEmpty() || count == 0) {
            return 0;
        }
        Workspace ws = acquire();
        try {
            System.arraycopy(keys, 0, ws.missKeys, 0, count);
            long epoch = updateEpochs.get(table);
            java.util.Arrays.fill(ws.found, 0, count, false);
            fetch(t.table(), ws.missKeys, count, ws.missVectors,
                    ws.found, Deadline.inNanos(TimeUnit.MILLISECONDS.toNanos(settings.tierTimeoutMillis())));
            int kept = compactFound(ws, count, t.vectorBytes());
            int updated = t.cache().update(ws.missKeys, 0, kept, ws.missVectors, 0);
            dropIfUpdated(table, epoch, ws.missKeys, kept);
            return updated;
        } finally {
            workspaces.add(ws);
        }
    }

    /** Drops {@code keys} from the table's cache, so the next lookup reads the tiers. */
    public int invalidateCached(int table, long[] keys, int count) {
        DeviceCache cache = checkedTable(table, 0).cache();
        return cache == null ? 0 : cache.invalidate(keys, 0, count);
    }

    List<EmbeddingTier> tiers() {
        return tiers;
    }

    LookupSettings settings() {
        return settings;
    }

    LookupMetrics metrics() {
        return metrics;
    }

    private LookupTable checkedTable(int table, int count) {
        if (table < 0 || table >= tables.size()) {
            throw new IllegalArgumentException("no such table: model=" + model + " table=" + table
                    + " tables=" + tables.size());
        }
        LookupTable t = tables.get(table);
        if (count < 0 || count > t.maxKeys()) {
            throw new IllegalArgumentException("too many keys for table: model=" + model + " table="
                    + t.table().table() + " count=" + count + " maxKeys=" + t.maxKeys());
        }
        return t;
    }

    private static void checkRows(MemorySegment out, long offset, int rows, LookupTable t, String what) {
        if (offset < 0 || out.byteSize() - offset < rows * t.vectorBytes()) {
            throw new IllegalArgumentException(what + " too small: bytes=" + out.byteSize() + " offset=" + offset
                    + " needed=" + rows * t.vectorBytes());
        }
    }

    private Workspace acquire() {
        try {
            return workspaces.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a lookup workspace", e);
        }
    }

    private MemorySegment defaultVector(LookupTable t) {
        MemorySegment v = arena.allocate(t.vectorBytes(), 64);
        for (int i = 0; i < t.dimension(); i++) {
            v.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, t.defaultValue());
        }
        return v;
    }

    private static Map<String, Integer> indexByName(List<LookupTable> tables) {
        return java.util.stream.IntStream.range(0, tables.size()).boxed()
                .collect(Collectors.toUnmodifiableMap(i -> tables.get(i).table().table(), Function.identity()));
    }

    /** Stops background insertions (waiting briefly for running ones) and frees the scratch memory. */
    @Override
    public void close() {
        inserter.shutdown();
        try {
            inserter.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        arena.close();
    }

    /** Scratch buffers of one lookup, sized by the largest table batch. */
    static final class Workspace {
        final KeyDeduplicator dedup;
        final long[] unique;
        final int[] inverse;
        final MissList misses;
        final long[] missKeys;
        final int[] missSlot;
        final boolean[] found;
        final MemorySegment missVectors;

        Workspace(int maxKeys, long maxRowBytes, Arena arena) {
            dedup = new KeyDeduplicator(maxKeys);
            unique = new long[maxKeys];
            inverse = new int[maxKeys];
            misses = new MissList(maxKeys);
            missKeys = new long[maxKeys];
            missSlot = new int[maxKeys];
            found = new boolean[maxKeys];
            missVectors = arena.allocate(maxKeys * maxRowBytes, 64);
        }
    }
}
