package io.hps.tier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link EmbeddingTier} must show. A tier's test extends this class and
 * supplies a fresh tier per test with {@link #openTier()}; each test uses its own model name, so
 * tiers backed by a shared server need no cleanup between tests.
 */
public abstract class EmbeddingTierContract {
    private static final AtomicInteger MODELS = new AtomicInteger();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    protected EmbeddingTier tier;
    protected Arena arena;
    private String model;

    /** A new tier for one test; closed after the test. */
    protected abstract EmbeddingTier openTier() throws Exception;

    /** The kind the tier must report. */
    protected abstract TierKind expectedKind();

    @BeforeEach
    void openTierAndArena() throws Exception {
        arena = Arena.ofShared();
        tier = openTier();
        model = "contract" + MODELS.incrementAndGet() + "_" + Long.toHexString(System.nanoTime());
    }

    @AfterEach
    void closeTierAndArena() {
        tier.close();
        arena.close();
    }

    protected TierTable table(String name, int dimension) {
        return new TierTable(model, name, dimension);
    }

    protected static Deadline generous() {
        return Deadline.after(Duration.ofSeconds(20));
    }

    /** Vectors of random bits (NaN payloads and negative zeros included), {@code count * dimension} floats. */
    protected MemorySegment randomVectors(int count, int dimension, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MemorySegment vectors = arena.allocate((long) count * dimension * Float.BYTES, Long.BYTES);
        for (long i = 0; i < (long) count * dimension; i++) {
            vectors.setAtIndex(ValueLayout.JAVA_INT, i, random.nextInt());
        }
        return vectors;
    }

    protected MemorySegment filled(int count, int dimension, byte value) {
        MemorySegment segment = arena.allocate((long) count * dimension * Float.BYTES, Long.BYTES);
        segment.fill(value);
        return segment;
    }

    protected static long[] distinctKeys(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] keys = random.longs(count * 2L).distinct().limit(count).toArray();
        assertThat(keys).hasSize(count);
        return keys;
    }

    protected static void assertSameVector(MemorySegment actual, int actualIndex, MemorySegment expected,
                                           int expectedIndex, int dimension) {
        long bytes = (long) dimension * Float.BYTES;
        MemorySegment a = actual.asSlice(actualIndex * bytes, bytes);
        MemorySegment e = expected.asSlice(expectedIndex * bytes, bytes);
        assertThat(a.mismatch(e)).as("vector %d vs expected %d", actualIndex, expectedIndex).isEqualTo(-1L);
    }

    @Test
    void shouldReportItsKind() {
        assertThat(tier.kind()).isEqualTo(expectedKind());
    }

    @Test
    void shouldReturnPutVectorsBitExact() {
        TierTable table = table("round_trip", 16);
        long[] keys = distinctKeys(300, 1);
        MemorySegment vectors = randomVectors(keys.length, 16, 2);

        assertThat(tier.put(table, keys, keys.length, vectors, generous())).isEqualTo(TierResult.ok(keys.length));

        MemorySegment out = filled(keys.length, 16, (byte) 0);
        boolean[] found = new boolean[keys.length];
        assertThat(tier.get(table, keys, keys.length, out, found, generous())).isEqualTo(TierResult.ok(keys.length));
        assertThat(found).containsOnly(true);
        assertThat(out.mismatch(vectors)).isEqualTo(-1L);
    }

    @Test
    void shouldLeaveMissingKeysUnmarkedAndTheirSlotsUntouched() {
        TierTable table = table("misses", 4);
        long[] stored = {10, 20, 30};
        MemorySegment vectors = randomVectors(3, 4, 3);
        tier.put(table, stored, 3, vectors, generous());

        long[] asked = {10, 11, 20, -5, 30, 0};
        MemorySegment out = filled(asked.length, 4, (byte) 0x5A);
        boolean[] found = new boolean[asked.length];
        TierResult result = tier.get(table, asked, asked.length, out, found, generous());

        assertThat(result).isEqualTo(TierResult.ok(3));
        assertThat(found).containsExactly(true, false, true, false, true, false);
        assertSameVector(out, 0, vectors, 0, 4);
        assertSameVector(out, 2, vectors, 1, 4);
        assertSameVector(out, 4, vectors, 2, 4);
        MemorySegment untouched = filled(1, 4, (byte) 0x5A);
        for (int missing : new int[] {1, 3, 5}) {
            assertSameVector(out, missing, untouched, 0, 4);
        }
    }

    @Test
    void shouldMissEverythingInAnUnknownTable() {
        long[] keys = {1, 2, 3};
        boolean[] found = new boolean[3];
        TierResult result = tier.get(table("never_written", 8), keys, 3, filled(3, 8, (byte) 0), found, generous());
        assertThat(result).isEqualTo(TierResult.ok(0));
        assertThat(found).containsOnly(false);
        assertThat(tier.size(table("never_written", 8), generous())).isEqualTo(TierResult.ok(0));
    }

    @Test
    void shouldSkipKeysAnEarlierTierFound() {
        TierTable table = table("chained", 4);
        long[] keys = {1, 2, 3, 4};
        MemorySegment vectors = randomVectors(4, 4, 4);
        tier.put(table, keys, 4, vectors, generous());

        MemorySegment out = filled(4, 4, (byte) 0x11);
        boolean[] found = {true, false, true, false};
        TierResult result = tier.get(table, keys, 4, out, found, generous());

        assertThat(result).isEqualTo(TierResult.ok(2));
        assertThat(found).containsOnly(true);
        MemorySegment earlier = filled(1, 4, (byte) 0x11);
        assertSameVector(out, 0, earlier, 0, 4);
        assertSameVector(out, 1, vectors, 1, 4);
        assertSameVector(out, 2, earlier, 0, 4);
        assertSameVector(out, 3, vectors, 3, 4);
    }

    @Test
    void shouldOverwriteExistingKeys() {
        TierTable table = table("overwrite", 8);
        long[] keys = {7, 8, 9};
        tier.put(table, keys, 3, randomVectors(3, 8, 5), generous());
        MemorySegment second = randomVectors(2, 8, 6);
        tier.put(table, new long[] {8, 9}, 2, second, generous());

        MemorySegment out = filled(3, 8, (byte) 0);
        boolean[] found = new boolean[3];
        tier.get(table, keys, 3, out, found, generous());

        assertSameVector(out, 1, second, 0, 8);
        assertSameVector(out, 2, second, 1, 8);
        assertThat(tier.size(table, generous())).isEqualTo(TierResult.ok(3));
    }

    @Test
    void shouldRemoveOnlyPresentKeys() {
        TierTable table = table("remove", 4);
        long[] keys = distinctKeys(50, 7);
        tier.put(table, keys, keys.length, randomVectors(keys.length, 4, 8), generous());

        long[] doomed = {keys[0], keys[10], 123456789L, keys[49]};
        assertThat(tier.remove(table, doomed, doomed.length, generous())).isEqualTo(TierResult.ok(3));

        boolean[] found = new boolean[keys.length];
        tier.get(table, keys, keys.length, filled(keys.length, 4, (byte) 0), found, generous());
        for (int i = 0; i < keys.length; i++) {
            assertThat(found[i]).as("key index %d", i).isEqualTo(i != 0 && i != 10 && i != 49);
        }
        assertThat(tier.size(table, generous())).isEqualTo(TierResult.ok(47));
    }

    @Test
    void shouldKeepTablesOfDifferentDimensionsApart() {
        TierTable narrow = table("narrow", 2);
        TierTable wide = table("wide", 33);
        long[] keys = {1, 2, 3};
        MemorySegment narrowVectors = randomVectors(3, 2, 9);
        MemorySegment wideVectors = randomVectors(3, 33, 10);
        tier.put(narrow, keys, 3, narrowVectors, generous());
        tier.put(wide, keys, 3, wideVectors, generous());

        MemorySegment narrowOut = filled(3, 2, (byte) 0);
        MemorySegment wideOut = filled(3, 33, (byte) 0);
        tier.get(narrow, keys, 3, narrowOut, new boolean[3], generous());
        tier.get(wide, keys, 3, wideOut, new boolean[3], generous());

        assertThat(narrowOut.mismatch(narrowVectors)).isEqualTo(-1L);
        assertThat(wideOut.mismatch(wideVectors)).isEqualTo(-1L);
    }

    @Test
    void shouldHandleLargeBatchesSpanningPartitions() {
        TierTable table = table("large", 8);
        long[] keys = distinctKeys(8_000, 11);
        keys[0] = Long.MIN_VALUE;
        keys[1] = Long.MAX_VALUE;
        keys[2] = 0;
        keys[3] = -1;
        MemorySegment vectors = randomVectors(keys.length, 8, 12);

        assertThat(tier.put(table, keys, keys.length, vectors, generous()).isOk()).isTrue();
        assertThat(tier.size(table, generous())).isEqualTo(TierResult.ok(keys.length));

        MemorySegment out = filled(keys.length, 8, (byte) 0);
        boolean[] found = new boolean[keys.length];
        assertThat(tier.get(table, keys, keys.length, out, found, generous())).isEqualTo(TierResult.ok(keys.length));
        assertThat(out.mismatch(vectors)).isEqualTo(-1L);
    }

    @Test
    void shouldAnswerEveryOccurrenceOfARepeatedKey() {
        TierTable table = table("repeated", 4);
        MemorySegment vectors = randomVectors(2, 4, 23);
        tier.put(table, new long[] {5, 6}, 2, vectors, generous());

        long[] asked = {5, 6, 5, 7, 5};
        MemorySegment out = filled(asked.length, 4, (byte) 0);
        boolean[] found = new boolean[asked.length];
        assertThat(tier.get(table, asked, asked.length, out, found, generous())).isEqualTo(TierResult.ok(4));
        assertThat(found).containsExactly(true, true, true, false, true);
        assertSameVector(out, 0, vectors, 0, 4);
        assertSameVector(out, 2, vectors, 0, 4);
        assertSameVector(out, 4, vectors, 0, 4);
    }

    @Test
    void shouldUseOnlyTheFirstCountKeys() {
        TierTable table = table("prefix", 4);
        long[] keys = {1, 2, 3, 4};
        tier.put(table, keys, 2, randomVectors(4, 4, 13), generous());
        assertThat(tier.size(table, generous())).isEqualTo(TierResult.ok(2));
        boolean[] found = new boolean[4];
        tier.get(table, keys, 4, filled(4, 4, (byte) 0), found, generous());
        assertThat(found).containsExactly(true, true, false, false);
    }

    @Test
    void shouldDropTableAndAllowItAgain() {
        TierTable table = table("dropped", 4);
        long[] keys = distinctKeys(100, 14);
        tier.put(table, keys, keys.length, randomVectors(keys.length, 4, 15), generous());

        assertThat(tier.dropTable(table, generous()).isOk()).isTrue();
        assertThat(tier.size(table, generous())).isEqualTo(TierResult.ok(0));
        boolean[] found = new boolean[keys.length];
        tier.get(table, keys, keys.length, filled(keys.length, 4, (byte) 0), found, generous());
        assertThat(found).containsOnly(false);

        MemorySegment again = randomVectors(1, 4, 16);
        tier.put(table, keys, 1, again, generous());
        MemorySegment out = filled(1, 4, (byte) 0);
        assertThat(tier.get(table, keys, 1, out, new boolean[1], generous())).isEqualTo(TierResult.ok(1));
        assertThat(out.mismatch(again)).isEqualTo(-1L);
    }

    @Test
    void shouldScanEveryEntryOnce() {
        TierTable table = table("scanned", 6);
        long[] keys = distinctKeys(1_000, 17);
        MemorySegment vectors = randomVectors(keys.length, 6, 18);
        tier.put(table, keys, keys.length, vectors, generous());

        Map<Long, Integer> indexOf = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            indexOf.put(keys[i], i);
        }
        List<Long> visited = new ArrayList<>();
        TierResult result = tier.scan(table, 37, (chunkKeys, count, chunkVectors) -> {
            assertThat(count).isBetween(1, 37);
            for (int i = 0; i < count; i++) {
                visited.add(chunkKeys[i]);
                assertSameVector(chunkVectors, i, vectors, indexOf.get(chunkKeys[i]), 6);
            }
        }, generous());

        assertThat(result).isEqualTo(TierResult.ok(keys.length));
        assertThat(visited).containsExactlyInAnyOrderElementsOf(indexOf.keySet());
    }

    @Test
    void shouldAnswerAnExpiredDeadlineWithADeadlineResultAndDoNothing() {
        TierTable table = table("deadline", 4);
        long[] keys = {1, 2, 3};
        tier.put(table, keys, 2, randomVectors(2, 4, 19), generous());
        Deadline passed = Deadline.inNanos(-1);

        MemorySegment out = filled(3, 4, (byte) 0x22);
        boolean[] found = new boolean[3];
        assertThat(tier.get(table, keys, 3, out, found, passed).status()).isEqualTo(TierStatus.DEADLINE_EXCEEDED);
        assertThat(found).containsOnly(false);
        assertThat(out.mismatch(filled(3, 4, (byte) 0x22))).isEqualTo(-1L);

        assertThat(tier.put(table, keys, 3, randomVectors(3, 4, 20), passed).status())
                .isEqualTo(TierStatus.DEADLINE_EXCEEDED);
        assertThat(tier.remove(table, keys, 3, passed).status()).isEqualTo(TierStatus.DEADLINE_EXCEEDED);
        assertThat(tier.size(table, passed).status()).isEqualTo(TierStatus.DEADLINE_EXCEEDED);
        assertThat(tier.dropTable(table, passed).status()).isEqualTo(TierStatus.DEADLINE_EXCEEDED);
        assertThat(tier.getAsync(table, keys, 3, out, found, passed).join().status())
                .isEqualTo(TierStatus.DEADLINE_EXCEEDED);
        assertThat(tier.size(table, generous())).isEqualTo(TierResult.ok(2));
    }

    @Test
    void shouldServeTheAsynchronousForms() {
        TierTable table = table("async", 8);
        long[] keys = distinctKeys(500, 21);
        MemorySegment vectors = randomVectors(keys.length, 8, 22);

        assertThat(tier.putAsync(table, keys, keys.length, vectors, generous()).join()).isEqualTo(TierResult.ok(500));
        MemorySegment out = filled(keys.length, 8, (byte) 0);
        boolean[] found = new boolean[keys.length];
        CompletableFuture<TierResult> read = tier.getAsync(table, keys, keys.length, out, found, generous());
        assertThat(read.join()).isEqualTo(TierResult.ok(500));
        assertThat(out.mismatch(vectors)).isEqualTo(-1L);
        assertThat(tier.sizeAsync(table, generous()).join()).isEqualTo(TierResult.ok(500));
        assertThat(tier.removeAsync(table, keys, 100, generous()).join()).isEqualTo(TierResult.ok(100));
        AtomicLong scanned = new AtomicLong();
        assertThat(tier.scanAsync(table, 64, (k, n, v) -> scanned.addAndGet(n), generous()).join())
                .isEqualTo(TierResult.ok(400));
        assertThat(scanned).hasValue(400);
        assertThat(tier.dropTableAsync(table, generous()).join().isOk()).isTrue();
        assertThat(tier.size(table, generous())).isEqualTo(TierResult.ok(0));
    }

    /**
     * Writers keep rewriting keys with vectors whose every float is {@code key * 10000 + version};
     * readers must only ever see whole vectors of the right key.
     */
    @Test
    void shouldNeverExposeTornVectorsToConcurrentReaders() throws Exception {
        TierTable table = table("concurrent", 32);
        int keySpace = 256;
        int rounds = 60;
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> work = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                work.add(threads.submit(() -> write(table, keySpace, rounds, writer)));
            }
            for (int r = 0; r < 2; r++) {
                work.add(threads.submit(() -> readAndCheck(table, keySpace, rounds)));
            }
            for (Future<Integer> future : work) {
                assertThat(future.get()).isGreaterThanOrEqualTo(0);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(tier.size(table, generous())).isEqualTo(TierResult.ok(keySpace));
    }

    private int write(TierTable table, int keySpace, int rounds, int writer) {
        try (Arena local = Arena.ofConfined()) {
            long[] keys = new long[keySpace];
            MemorySegment vectors = local.allocate((long) keySpace * table.vectorBytes());
            for (int round = 0; round < rounds; round++) {
                int version = round * 2 + writer;
                for (int k = 0; k < keySpace; k++) {
                    keys[k] = k;
                    for (int d = 0; d < table.dimension(); d++) {
                        vectors.setAtIndex(FLOAT, (long) k * table.dimension() + d, k * 10000f + version);
                    }
                }
                assertThat(tier.put(table, keys, keySpace, vectors, generous()).isOk()).isTrue();
            }
        }
        return 0;
    }

    private int readAndCheck(TierTable table, int keySpace, int rounds) {
        int hits = 0;
        try (Arena local = Arena.ofConfined()) {
            long[] keys = new long[keySpace];
            Arrays.setAll(keys, k -> k);
            MemorySegment out = local.allocate((long) keySpace * table.vectorBytes());
            for (int round = 0; round < rounds; round++) {
                boolean[] found = new boolean[keySpace];
                assertThat(tier.get(table, keys, keySpace, out, found, generous()).isOk()).isTrue();
                for (int k = 0; k < keySpace; k++) {
                    if (found[k]) {
                        hits++;
                        assertWholeVector(out, k, table.dimension());
                    }
                }
            }
        }
        return hits;
    }

    private static void assertWholeVector(MemorySegment out, int k, int dimension) {
        float first = out.getAtIndex(FLOAT, (long) k * dimension);
        assertThat((int) (first / 10000f)).as("key of vector %d", k).isEqualTo(k);
        for (int d = 1; d < dimension; d++) {
            assertThat(out.getAtIndex(FLOAT, (long) k * dimension + d)).as("vector %d element %d", k, d)
                    .isEqualTo(first);
        }
    }
}
