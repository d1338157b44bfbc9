package io.hps.bench.hps;

import io.hps.lookup.LookupMetrics;
import io.hps.lookup.LookupSession;
import io.hps.lookup.LookupSettings;
import io.hps.lookup.LookupTable;
import io.hps.tier.Deadline;
import io.hps.tier.RedisTier;
import io.hps.tier.RedisTierSettings;
import io.hps.tier.TierResult;
import io.hps.tier.TierTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Values per second read from Redis through {@link RedisTier#get} and through a lookup session
 * without a cache (every key a miss that goes to Redis), one calling thread, batches of
 * {@value #BATCH} distinct keys of one table, dimension 128 (512-byte values), HugeCTR's layout
 * ({@code partitions} hashes). JMH operations are values.
 *
 * <p>The server is not started here: {@code -Dhps.bench.redis=host:port} names a running one
 * ({@code load-tests/bench-redis.sh} starts one on a free loopback port). Setup writes
 * {@value #KEYS} keys through the tier (idempotent) and leaves them for the next trial.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector"})
public class RedisTierBenchmark {
    static final int DIMENSION = 128;
    static final long ROW_BYTES = DIMENSION * 4L;
    static final int KEYS = 100_000;
    static final int BATCH = 16384;
    static final int LOAD_CHUNK = 4096;

    @Param({"8"})
    public int partitions;

    @Param({"4096"})
    public int maxBatchKeys;

    private Arena arena;
    private RedisTier tier;
    private TierTable table;
    private LookupSession session;
    private long[][] batches;
    private int next;
    private MemorySegment out;
    private boolean[] found;

    @Setup(Level.Trial)
    public void setUp() {
        String address = System.getProperty("hps.bench.redis", "127.0.0.1:6379");
        RedisTierSettings settings = RedisTierSettings.forInference(address, false, partitions)
                .withMaxBatchKeys(maxBatchKeys).withTimeouts(5_000, 0);
        tier = RedisTier.connect(settings);
        table = new TierTable("bench", "redis", DIMENSION);
        arena = Arena.ofShared();
        load();
        out = arena.allocate(BATCH * ROW_BYTES, 64);
        found = new boolean[BATCH];
        batches = distinctBatches(8, new SplittableRandom(7));
        session = new LookupSession("bench", List.of(new LookupTable(table, BATCH, 0f, null)), List.of(tier),
                new LookupSettings(0.9, 5_000, 1, 16), LookupMetrics.unpublished("bench", List.of("redis")));
    }

    private void load() {
        MemorySegment rows = arena.allocate(LOAD_CHUNK * ROW_BYTES, 64);
        long[] keys = new long[LOAD_CHUNK];
        for (int from = 0; from < KEYS; from += LOAD_CHUNK) {
            int n = Math.min(LOAD_CHUNK, KEYS - from);
            for (int i = 0; i < n; i++) {
                keys[i] = from + i;
                for (int c = 0; c < DIMENSION; c++) {
                    rows.setAtIndex(ValueLayout.JAVA_FLOAT, (long) i * DIMENSION + c, keys[i] + c / 1000f);
                }
            }
            TierResult put = tier.put(table, keys, n, rows, Deadline.inNanos(TimeUnit.SECONDS.toNanos(30)));
            if (!put.isOk()) {
                throw new IllegalStateException("loading redis failed: " + put);
            }
        }
    }

    /** Batches of distinct keys (a partial shuffle of the loaded keys each). */
    private static long[][] distinctBatches(int count, SplittableRandom random) {
        long[][] batches = new long[count][BATCH];
        long[] all = new long[KEYS];
        for (int i = 0; i < KEYS; i++) {
            all[i] = i;
        }
        for (long[] batch : batches) {
            for (int i = 0; i < BATCH; i++) {
                int j = i + random.nextInt(KEYS - i);
                long swap = all[i];
                all[i] = all[j];
                all[j] = swap;
                batch[i] = all[i];
            }
        }
        return batches;
    }

    private long[] nextBatch() {
        next = (next + 1) % batches.length;
        return batches[next];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        tier.close();
        arena.close();
    }

    /** {@link RedisTier#get} of {@value #BATCH} keys, all present. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long tierGet() {
        java.util.Arrays.fill(found, false);
        TierResult result = tier.get(table, nextBatch(), BATCH, out, found, Deadline.inNanos(TimeUnit.SECONDS.toNanos(5)));
        if (result.count() != BATCH) {
            throw new IllegalStateException("redis read incomplete: " + result);
        }
        return result.count();
    }

    /** A lookup session without a cache: dedup, Redis, expand; {@value #BATCH} keys. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int sessionLookupNoCache() {
        int hits = session.lookup(0, nextBatch(), 0, BATCH, out, 0).tierHits();
        if (hits != BATCH) {
            throw new IllegalStateException("redis lookup incomplete: tierHits=" + hits);
        }
        return hits;
    }
}
