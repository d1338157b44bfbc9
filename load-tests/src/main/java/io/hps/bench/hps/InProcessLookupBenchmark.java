package io.hps.bench.hps;

import io.hps.cache.CacheMode;
import io.hps.cache.CpuEmbeddingCache;
import io.hps.cache.CpuStaticTable;
import io.hps.cache.DeviceCacheConfig;
import io.hps.cache.MissList;
import io.hps.lookup.LookupMetrics;
import io.hps.lookup.LookupSession;
import io.hps.lookup.LookupSettings;
import io.hps.lookup.LookupTable;
import io.hps.tier.Deadline;
import io.hps.tier.HashMapTier;
import io.hps.tier.HashMapTierSettings;
import io.hps.tier.TierTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Rows per second of the in-process read paths, all hits, one thread, dimension 128 (512-byte
 * rows), against a plain gather of the same number of rows by index from one off-heap table of the
 * same size as the cache's slab ({@link #gatherBaseline}; {@link #gatherBaselineHugePages} from a
 * copy on transparent huge pages, as the caches allocate their slabs). Every method reports rows/s (JMH
 * operations are rows).
 *
 * <p>Data: a dynamic cache of {@code 2^18} rows (128 MiB slab) filled with keys {@code 0..3/4 of
 * the capacity}; the batch is {@value #BATCH} keys drawn uniformly from the keys the cache holds
 * (a few repeat, as in a Criteo batch of one table). The static table and the hash map tier hold
 * the same keys.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector"})
public class InProcessLookupBenchmark {
    static final int DIMENSION = 128;
    static final long ROW_BYTES = DIMENSION * 4L;
    static final int CAPACITY_ROWS = 1 << 18;
    static final int BATCH = 16384;
    static final int CRITEO_TABLES = 26;
    static final int CRITEO_BATCH = 1024;
    static final int INSERT_CHUNK = 4096;

    private Arena arena;
    private MemorySegment table;
    private MemorySegment hugePageTable;
    private MemorySegment out;
    private long[] gatherIndices;
    private long[] keys;
    private long[] criteoKeys;
    private CpuEmbeddingCache cache;
    private CpuStaticTable staticTable;
    private HashMapTier hashMap;
    private TierTable tierTable;
    private LookupSession session;
    private LookupSession criteoSession;
    private MissList misses;
    private boolean[] found;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        table = arena.allocate(CAPACITY_ROWS * ROW_BYTES, 64);
        out = arena.allocate(BATCH * ROW_BYTES, 64);
        SplittableRandom random = new SplittableRandom(42);
        for (long i = 0; i < table.byteSize() / 4; i++) {
            table.setAtIndex(ValueLayout.JAVA_FLOAT, i, random.nextInt(1000) / 1000f);
        }
        hugePageTable = HugePageMemory.allocate(arena, table.byteSize());
        hugePageTable.copyFrom(table);
        cache = new CpuEmbeddingCache(new DeviceCacheConfig(CacheMode.DYNAMIC, CAPACITY_ROWS, DIMENSION));
        int loaded = CAPACITY_ROWS / 4 * 3;
        long[] all = new long[loaded];
        for (int i = 0; i < loaded; i++) {
            all[i] = i;
        }
        for (int from = 0; from < loaded; from += INSERT_CHUNK) {
            cache.replace(all, from, Math.min(INSERT_CHUNK, loaded - from), table, from * ROW_BYTES);
        }
        long[] resident = residentKeys(all);
        keys = draw(resident, BATCH, random);
        criteoKeys = draw(resident, CRITEO_TABLES * CRITEO_BATCH, random);
        gatherIndices = new long[BATCH];
        for (int i = 0; i < BATCH; i++) {
            gatherIndices[i] = random.nextInt(CAPACITY_ROWS);
        }
        staticTable = new CpuStaticTable(new DeviceCacheConfig(CacheMode.STATIC, loaded, DIMENSION));
        staticTable.replace(all, 0, loaded, table, 0);
        tierTable = new TierTable("bench", "t0", DIMENSION);
        hashMap = new HashMapTier(HashMapTierSettings.DEFAULTS);
        hashMap.put(tierTable, all, loaded, table, Deadline.inNanos(TimeUnit.MINUTES.toNanos(1)));
        misses = new MissList(BATCH);
        found = new boolean[BATCH];
        session = session(1, BATCH);
        criteoSession = session(CRITEO_TABLES, CRITEO_BATCH);
        reportHugePages();
    }

    /** Prints how much of this JVM's anonymous memory sits on transparent huge pages (Linux). */
    static void reportHugePages() {
        try {
            java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/smaps_rollup")).stream()
                    .filter(line -> line.startsWith("AnonHugePages") || line.startsWith("Rss"))
                    .forEach(line -> System.out.println("# " + line.replaceAll("\\s+", " ")));
        } catch (java.io.IOException | UnsupportedOperationException e) {
            System.out.println("# no /proc/self/smaps_rollup: " + e);
        }
    }

    private LookupSession session(int tables, int maxKeys) {
        List<LookupTable> lookupTables = new ArrayList<>();
        for (int t = 0; t < tables; t++) {
            lookupTables.add(new LookupTable(new TierTable("bench", "t" + t, DIMENSION), maxKeys, 0f, cache));
        }
        return new LookupSession("bench", lookupTables, List.of(), LookupSettings.DEFAULTS,
                LookupMetrics.unpublished("bench", List.of()));
    }

    private long[] residentKeys(long[] all) {
        long[] resident = new long[all.length];
        int[] count = {0};
        cache.dump((key, vector) -> resident[count[0]++] = key);
        return java.util.Arrays.copyOf(resident, count[0]);
    }

    private static long[] draw(long[] from, int n, SplittableRandom random) {
        long[] drawn = new long[n];
        for (int i = 0; i < n; i++) {
            drawn[i] = from[random.nextInt(from.length)];
        }
        return drawn;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        criteoSession.close();
        cache.close();
        staticTable.close();
        hashMap.close();
        arena.close();
    }

    /** Baseline: {@value #BATCH} rows copied by index from one off-heap table into the output. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public MemorySegment gatherBaseline() {
        MemorySegment src = table;
        MemorySegment dst = out;
        long[] indices = gatherIndices;
        for (int i = 0; i < indices.length; i++) {
            MemorySegment.copy(src, indices[i] * ROW_BYTES, dst, i * ROW_BYTES, ROW_BYTES);
        }
        return dst;
    }

    /** Baseline on transparent huge pages (as the caches' slabs): the same gather from a copy of the table. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public MemorySegment gatherBaselineHugePages() {
        MemorySegment src = hugePageTable;
        MemorySegment dst = out;
        long[] indices = gatherIndices;
        for (int i = 0; i < indices.length; i++) {
            MemorySegment.copy(src, indices[i] * ROW_BYTES, dst, i * ROW_BYTES, ROW_BYTES);
        }
        return dst;
    }

    /** The dynamic cache's query alone, {@value #BATCH} keys. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int cacheQuery() {
        return cache.query(keys, 0, BATCH, out, 0, misses);
    }

    /** The static table's query alone (the native path), {@value #BATCH} keys. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int staticTableQuery() {
        return staticTable.query(keys, 0, BATCH, out, 0, misses);
    }

    /** The hash map tier's get alone, {@value #BATCH} keys. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long hashMapTierGet() {
        java.util.Arrays.fill(found, false);
        return hashMap.get(tierTable, keys, BATCH, out, found, Deadline.inNanos(TimeUnit.SECONDS.toNanos(10))).count();
    }

    /** The lookup session (dedup, cache, expand) over one table, {@value #BATCH} keys. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int sessionLookup() {
        return session.lookup(0, keys, 0, BATCH, out, 0).cacheHits();
    }

    /** The lookup session over 26 tables of {@value #CRITEO_BATCH} keys each (a Criteo batch). */
    @Benchmark
    @OperationsPerInvocation(CRITEO_TABLES * CRITEO_BATCH)
    public int sessionLookupCriteo() {
        int hits = 0;
        for (int t = 0; t < CRITEO_TABLES; t++) {
            hits += criteoSession.lookup(t, criteoKeys, t * CRITEO_BATCH, CRITEO_BATCH, out, 0).cacheHits();
        }
        return hits;
    }
}
