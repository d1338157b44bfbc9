package io.hps.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.lookup.LookupOutcome;
import io.hps.lookup.LookupSession;
import io.hps.lookup.LookupSettings;
import io.hps.model.config.PsConfigFile;
import io.hps.tier.Deadline;
import io.hps.update.CacheRefresher;
import io.hps.update.EmbeddingUpdater;
import io.hps.update.LocalUpdateChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParameterServerTest {
    static final String HASH_MAP = """
            {"type": "hash_map", "num_partitions": 3, "initial_cache_rate": 1.0}""";
    static final String DISABLED = """
            {"type": "disabled"}""";

    @TempDir
    static Path root;
    static TestModel model;

    private ParameterServer server;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void generate() {
        model = TestModel.generate(root);
    }

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    private LookupSession start(PsConfigFile ps) throws Exception {
        server = ParameterServer.create(ps.config(), HpsSettings.DEFAULTS, registry);
        assertThat(server.ready()).isFalse();
        List<LoadReport> reports = server.load(LoadProgress.NONE).get(60, TimeUnit.SECONDS);
        assertThat(server.ready()).isTrue();
        assertThat(reports).singleElement().satisfies(r ->
                assertThat(r.rows()).isEqualTo(model.tables().stream().mapToLong(t -> t.rows()).sum()));
        return server.session(TestModel.NAME).orElseThrow();
    }

    @Test
    void shouldAnswerStoredKeysBitExactAndUnknownKeysWithTheTableDefault() throws Exception {
        LookupSession session = start(model.psConfig(HASH_MAP, DISABLED,
                "\"gpucache\": true, \"gpucacheper\": 0.5, \"hit_rate_threshold\": 1.0"));
        int table = 0;
        long rows = model.tables().get(table).rows();
        int dim = model.tables().get(table).dimension();
        long[] keys = {3, rows - 1, 3, rows + 100, -5, 0};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(keys.length * dim * 4L);
            LookupOutcome outcome = session.lookup(table, keys, 0, keys.length, out, 0);
            assertThat(outcome.keys()).isEqualTo(6);
            assertThat(outcome.uniqueKeys()).isEqualTo(5);
            assertThat(outcome.defaults()).isEqualTo(2);
            for (int i : new int[] {0, 1, 2, 5}) {
                assertThat(TestModel.row(out, i, dim)).containsExactly(model.vector(table, keys[i]));
            }
            float[] defaults = new float[dim];
            Arrays.fill(defaults, TestModel.defaultValue(table));
            assertThat(TestModel.row(out, 3, dim)).containsExactly(defaults);
            assertThat(TestModel.row(out, 4, dim)).containsExactly(defaults);
        }
    }

    @Test
    void shouldFetchMissesSynchronouslyBelowTheThresholdAndCacheThem() throws Exception {
        LookupSession session = start(model.psConfig(HASH_MAP, DISABLED,
                "\"gpucache\": true, \"gpucacheper\": 0.5, \"init_ec\": false, \"hit_rate_threshold\": 1.0"));
        long[] keys = {1, 2, 3, 4};
        int dim = model.tables().get(1).dimension();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(keys.length * dim * 4L);
            LookupOutcome first = session.lookup(1, keys, 0, 4, out, 0);
            assertThat(first.cacheHits()).isZero();
            assertThat(first.tierHits()).isEqualTo(4);
            LookupOutcome second = session.lookup(1, keys, 0, 4, out, 0);
            assertThat(second.cacheHits()).isEqualTo(4);
            for (int i = 0; i < 4; i++) {
                assertThat(TestModel.row(out, i, dim)).containsExactly(model.vector(1, keys[i]));
            }
        }
    }

    @Test
    void shouldAnswerMissesWithDefaultVectorAboveThresholdAndInsertThemInTheBackground() throws Exception {
        LookupSession session = start(model.psConfig(HASH_MAP, DISABLED,
                "\"gpucache\": true, \"gpucacheper\": 0.5, \"init_ec\": false, \"hit_rate_threshold\": 0.0"));
        long[] keys = {1, 2};
        int dim = model.tables().get(2).dimension();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(keys.length * dim * 4L);
            LookupOutcome first = session.lookup(2, keys, 0, 2, out, 0);
            assertThat(first.defaults()).isEqualTo(2);
            float[] defaults = new float[dim];
            Arrays.fill(defaults, TestModel.defaultValue(2));
            assertThat(TestModel.row(out, 0, dim)).containsExactly(defaults);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            LookupOutcome later;
            do {
                Thread.sleep(5);
                later = session.lookup(2, keys, 0, 2, out, 0);
            } while (later.cacheHits() < 2 && System.nanoTime() < until);
            assertThat(later.cacheHits()).isEqualTo(2);
            assertThat(TestModel.row(out, 1, dim)).containsExactly(model.vector(2, 2));
        }
    }

    @Test
    void shouldServeAStaticTableWithoutTiers() throws Exception {
        LookupSession session = start(model.psConfig(DISABLED, DISABLED,
                "\"use_static_table\": true, \"embedding_cache_type\": \"static\""));
        int table = 0;
        long rows = model.tables().get(table).rows();
        int dim = model.tables().get(table).dimension();
        long[] keys = new long[64];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < keys.length; i++) {
            keys[i] = random.nextLong(rows);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(keys.length * dim * 4L);
            LookupOutcome outcome = session.lookup(table, keys, 0, keys.length, out, 0);
            assertThat(outcome.hitRate()).isEqualTo(1.0);
            assertThat(outcome.tierHits()).isZero();
            for (int i = 0; i < keys.length; i++) {
                assertThat(TestModel.row(out, i, dim)).containsExactly(model.vector(table, keys[i]));
            }
        }
    }

    @Test
    void shouldLoadOnlyTheInitialCacheRateIntoTheVolatileTierAndFallBackToRocksDb() throws Exception {
        Path db = root.resolve("rocks-" + System.nanoTime());
        LookupSession session = start(model.psConfig("""
                {"type": "hash_map", "num_partitions": 2, "initial_cache_rate": 0.25}""",
                "{\"type\": \"rocks_db\", \"path\": \"" + db + "\"}",
                "\"gpucache\": false"));
        int table = 0;
        long rows = model.tables().get(table).rows();
        int dim = model.tables().get(table).dimension();
        long[] keys = {0, rows / 2, rows - 1};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(keys.length * dim * 4L);
            LookupOutcome outcome = session.lookup(table, keys, 0, keys.length, out, 0);
            assertThat(outcome.tierHits()).isEqualTo(3);
            assertThat(outcome.defaults()).isZero();
            for (int i = 0; i < keys.length; i++) {
                assertThat(TestModel.row(out, i, dim)).containsExactly(model.vector(table, keys[i]));
            }
        }
        assertThat(registry.get("hps.lookup.hits").tag("tier", "rocksdb").counter().count()).isEqualTo(2);
        assertThat(registry.get("hps.lookup.hits").tag("tier", "hash_map").counter().count()).isEqualTo(1);
    }

    @Test
    void shouldReturnUniqueVectorsWithAnInverseIndex() throws Exception {
        LookupSession session = start(model.psConfig(HASH_MAP, DISABLED, "\"gpucache\": true, \"gpucacheper\": 1.0"));
        long[] keys = {5, 6, 5, 5, 7, 6};
        int dim = model.tables().get(0).dimension();
        int[] inverse = new int[keys.length];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment unique = arena.allocate(keys.length * dim * 4L);
            LookupOutcome outcome = session.lookupUnique(0, keys, 0, keys.length, unique, 0, inverse);
            assertThat(outcome.uniqueKeys()).isEqualTo(3);
            assertThat(inverse).containsExactly(0, 1, 0, 0, 2, 1);
            for (int i = 0; i < keys.length; i++) {
                assertThat(TestModel.row(unique, inverse[i], dim)).containsExactly(model.vector(0, keys[i]));
            }
        }
    }

    @Test
    void shouldRejectMoreKeysThanTheBatchAllows() throws Exception {
        LookupSession session = start(model.psConfig(HASH_MAP, DISABLED, "\"gpucache\": true"));
        long[] keys = new long[1025];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(keys.length * 16 * 4L);
            assertThatThrownBy(() -> session.lookup(0, keys, 0, keys.length, out, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("too many keys").hasMessageContaining("maxKeys=1024");
        }
    }

    @Test
    void shouldServeConsistentVectorsWhileUpdatesArrive() throws Exception {
        LookupSession session = start(model.psConfig(HASH_MAP, DISABLED,
                "\"gpucache\": true, \"gpucacheper\": 0.5, \"hit_rate_threshold\": 1.0"));
        int table = 0;
        int dim = model.tables().get(table).dimension();
        long rows = Math.min(256, model.tables().get(table).rows());
        try (EmbeddingUpdater updater = new EmbeddingUpdater(server, new LocalUpdateChannel());
             ExecutorService pool = Executors.newFixedThreadPool(3)) {
            AtomicBoolean stop = new AtomicBoolean();
            Future<Integer> writer = pool.submit(() -> {
                int versions = 0;
                long[] keys = new long[(int) rows];
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment vectors = arena.allocate(rows * dim * 4L);
                    for (int v = 1; v <= 50; v++) {
                        for (int i = 0; i < rows; i++) {
                            keys[i] = i;
                            for (int e = 0; e < dim; e++) {
                                vectors.setAtIndex(ValueLayout.JAVA_FLOAT, (long) i * dim + e, updated(i, v));
                            }
                        }
                        assertThat(updater.upsert(TestModel.NAME, model.tables().get(table).name(), keys,
                                (int) rows, vectors, Deadline.inNanos(TimeUnit.SECONDS.toNanos(5))).isOk()).isTrue();
                        versions++;
                    }
                }
                stop.set(true);
                return versions;
            });
            List<Future<Integer>> readers = List.of(pool.submit(() -> read(session, table, dim, rows, stop)),
                    pool.submit(() -> read(session, table, dim, rows, stop)));
            assertThat(writer.get(60, TimeUnit.SECONDS)).isEqualTo(50);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
            }
            long[] keys = {0, rows - 1};
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(2L * dim * 4);
                session.lookup(table, keys, 0, 2, out, 0);
                float[] expected = new float[dim];
                Arrays.fill(expected, updated(rows - 1, 50));
                assertThat(TestModel.row(out, 1, dim)).containsExactly(expected);
            }
        }
    }

    /** Every element of key {@code key}'s vector at version {@code v}: unique per key and version. */
    private static float updated(long key, int v) {
        return key * 1000f + v;
    }

    private static int read(LookupSession session, int table, int dim, long rows, AtomicBoolean stop) {
        int lookups = 0;
        long[] keys = new long[32];
        SplittableRandom random = new SplittableRandom(Thread.currentThread().threadId());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(keys.length * dim * 4L);
            while (!stop.get() || lookups == 0) {
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = random.nextLong(rows);
                }
                session.lookup(table, keys, 0, keys.length, out, 0);
                for (int i = 0; i < keys.length; i++) {
                    float[] row = TestModel.row(out, i, dim);
                    if (Arrays.equals(row, model.vector(table, keys[i]))) {
                        continue;
                    }
                    float first = row[0];
                    for (float f : row) {
                        assertThat(f).as("vector of key %d is torn", keys[i]).isEqualTo(first);
                    }
                    int version = Math.round(first - keys[i] * 1000f);
                    assertThat(first).isEqualTo(updated(keys[i], version));
                    assertThat(version).isBetween(1, 50);
                }
                lookups++;
            }
        }
        return lookups;
    }

    @Test
    void shouldRefreshCachedKeysFromTheTiers() throws Exception {
        LookupSession session = start(model.psConfig(HASH_MAP, DISABLED,
                "\"gpucache\": true, \"gpucacheper\": 1.0, \"hit_rate_threshold\": 1.0"));
        int dim = model.tables().get(0).dimension();
        long[] keys = {42};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment changed = arena.allocate(dim * 4L);
            for (int e = 0; e < dim; e++) {
                changed.setAtIndex(ValueLayout.JAVA_FLOAT, e, -1f);
            }
            server.tiers().getFirst().put(session.tables().getFirst().table(), keys, 1, changed,
                    Deadline.inNanos(TimeUnit.SECONDS.toNanos(5)));
            MemorySegment out = arena.allocate(dim * 4L);
            session.lookup(0, keys, 0, 1, out, 0);
            assertThat(TestModel.row(out, 0, dim)).containsExactly(model.vector(0, 42));
            try (CacheRefresher refresher = new CacheRefresher(server)) {
                assertThat(refresher.refresh(TestModel.NAME, 1.0)).isPositive();
            }
            session.lookup(0, keys, 0, 1, out, 0);
            assertThat(TestModel.row(out, 0, dim)[0]).isEqualTo(-1f);
        }
    }

    @Test
    void shouldPublishLookupMetrics() throws Exception {
        LookupSession session = start(model.psConfig(HASH_MAP, DISABLED, "\"gpucache\": true, \"gpucacheper\": 1.0"));
        long[] keys = {1, 1, 2};
        try (Arena arena = Arena.ofConfined()) {
            session.lookup(0, keys, 0, 3, arena.allocate(3 * 16 * 4L), 0);
        }
        assertThat(registry.get("hps.lookups").counter().count()).isEqualTo(1);
        assertThat(registry.get("hps.lookup.keys").counter().count()).isEqualTo(3);
        assertThat(registry.get("hps.lookup.unique.keys").counter().count()).isEqualTo(2);
        assertThat(registry.get("hps.cache.occupancy").tag("table", model.tables().get(0).name()).gauge().value())
                .isPositive();
        assertThat(registry.get("hps.load.seconds").gauge().value()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void shouldRejectTheDefaultSettingsThatMakeNoSense() {
        assertThatThrownBy(() -> new LookupSettings(1.5, 10, 1, 1)).hasMessageContaining("hitRateThreshold");
    }
}
