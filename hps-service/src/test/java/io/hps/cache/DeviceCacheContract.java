package io.hps.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every {@link DeviceCache} (CPU and GPU) must pass. A test class extends it and
 * provides {@link #create}; the contract closes every cache it creates.
 *
 * <p>Assumptions about the implementation, beyond the interface's Javadoc:
 * <ul>
 *   <li>a {@link CacheMode#STATIC static} cache has exactly the requested capacity;</li>
 *   <li>a {@link CacheMode#DYNAMIC dynamic} cache created with capacity {@value #ONE_SET_CAPACITY}
 *       is a single set (or fully associative), so its eviction order is exactly least recently
 *       used with batch granularity: all keys of one batch are equally recent;</li>
 *   <li>a set-associative dynamic cache may evict while other sets still have room, so after
 *       twice its capacity of distinct keys it is at least {@value #MIN_FULL_PERCENT}% full.</li>
 * </ul>
 *
 * <p>Vectors are written and compared as int bit patterns (arbitrary float bits, NaN payloads
 * included), so "equal" means bit-exact.
 */
public abstract class DeviceCacheContract {
    /** A dynamic cache created with this capacity must be a single set. */
    protected static final int ONE_SET_CAPACITY = 16;
    /** How full a dynamic cache must be after twice its capacity of distinct keys. */
    protected static final int MIN_FULL_PERCENT = 90;
    private static final int DIMENSION = 8;

    private final List<DeviceCache> caches = new ArrayList<>();
    private Arena arena;

    /** Creates an empty cache of this shape. */
    protected abstract DeviceCache create(CacheMode mode, long capacityRows, int dimension);

    @BeforeEach
    void openArena() {
        arena = Arena.ofShared();
    }

    @AfterEach
    void closeCaches() {
        caches.forEach(DeviceCache::close);
        caches.clear();
        arena.close();
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldMissEveryKeyOfAnEmptyCache(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        long[] keys = {1, 2, 3, 4};
        MissList misses = new MissList(keys.length);

        int hits = cache.query(keys, 0, keys.length, out(keys.length, DIMENSION), 0, misses);

        assertThat(hits).isZero();
        assertThat(missesOf(misses)).containsExactly(0, 1, 2, 3);
        assertThat(cache.size()).isZero();
        assertThat(cache.counters().misses()).isEqualTo(4);
        assertThat(cache.counters().hits()).isZero();
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldReturnStoredVectorsBitExactAndListMissesInKeyOrder(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        long[] stored = {10, 20, 30, 40};
        cache.replace(stored, 0, stored.length, rows(stored, DIMENSION, 0), 0);
        long[] keys = {5, 10, 6, 20, 30, 7, 40};
        MissList misses = new MissList(keys.length);
        MemorySegment out = out(keys.length, DIMENSION);

        int hits = cache.query(keys, 0, keys.length, out, 0, misses);

        assertThat(hits).isEqualTo(4);
        assertThat(missesOf(misses)).containsExactly(0, 2, 5);
        for (int i : new int[] {1, 3, 4, 6}) {
            assertRow(out, i, DIMENSION, keys[i], 0);
        }
        assertThat(cache.size()).isEqualTo(4);
        assertThat(cache.counters().hits()).isEqualTo(4);
        assertThat(cache.counters().misses()).isEqualTo(3);
        assertThat(cache.counters().insertions()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldReadAndWriteAtBatchOffsets(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        long[] keys = {-7, -8, 101, 102, 103, -9};
        long rowBytes = DIMENSION * 4L;
        MemorySegment vectors = arena.allocate(4 * rowBytes);
        MemorySegment.copy(rows(new long[] {101, 102, 103}, DIMENSION, 3), 0, vectors, rowBytes, 3 * rowBytes);
        cache.replace(keys, 2, 3, vectors, rowBytes);
        MemorySegment out = out(5, DIMENSION);
        out.fill((byte) 0x5A);
        MissList misses = new MissList(4);

        int hits = cache.query(new long[] {0, 102, 104, 103, 101}, 1, 4, out, rowBytes, misses);

        assertThat(hits).isEqualTo(3);
        assertThat(missesOf(misses)).containsExactly(1);
        assertRow(out, 1, DIMENSION, 102, 3);
        assertRow(out, 3, DIMENSION, 103, 3);
        assertRow(out, 4, DIMENSION, 101, 3);
        assertThat(out.asSlice(0, rowBytes).toArray(ValueLayout.JAVA_BYTE)).containsOnly((byte) 0x5A);
        assertThat(cache.size()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldOverwriteResidentKeyOnReplace(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        long[] keys = {42};
        cache.replace(keys, 0, 1, rows(keys, DIMENSION, 1), 0);
        cache.replace(keys, 0, 1, rows(keys, DIMENSION, 2), 0);
        MemorySegment out = out(1, DIMENSION);

        assertThat(cache.query(keys, 0, 1, out, 0, new MissList(1))).isEqualTo(1);

        assertRow(out, 0, DIMENSION, 42, 2);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.counters().insertions()).isEqualTo(1);
    }

    @Test
    void shouldKeepSizeWithinCapacityAndCountEveryEviction() {
        DeviceCache cache = cache(CacheMode.DYNAMIC, 1000, DIMENSION);
        long capacity = cache.capacity();
        assertThat(capacity).isGreaterThanOrEqualTo(1000);
        long[] keys = LongStream.range(0, 2 * capacity).map(k -> k * 7919 + 13).toArray();
        for (int offset = 0; offset < keys.length; offset += 100) {
            int count = Math.min(100, keys.length - offset);
            long[] batch = Arrays.copyOfRange(keys, offset, offset + count);
            cache.replace(keys, offset, count, rows(batch, DIMENSION, 0), 0);
            assertThat(cache.size()).isLessThanOrEqualTo(capacity);
        }

        assertThat(cache.size()).isBetween(capacity * MIN_FULL_PERCENT / 100, capacity);
        assertThat(cache.evictions()).isEqualTo(keys.length - cache.size());
        assertThat(cache.counters().insertions()).isEqualTo(keys.length);
        MemorySegment out = out(keys.length, DIMENSION);
        MissList misses = new MissList(keys.length);
        int hits = cache.query(keys, 0, keys.length, out, 0, misses);
        assertThat((long) hits).isEqualTo(cache.size());
        assertHitsMatch(keys, out, misses, 0);
        assertThat(dump(cache).keySet()).hasSize(hits);
    }

    @Test
    void shouldKeepRecentlyQueriedKeysWhenFloodedWithNewOnes() {
        DeviceCache cache = cache(CacheMode.DYNAMIC, ONE_SET_CAPACITY, DIMENSION);
        int capacity = Math.toIntExact(cache.capacity());
        long[] resident = LongStream.range(0, capacity).map(k -> 1000 + k).toArray();
        long[] hot = Arrays.copyOf(resident, capacity / 2);
        long[] cold = Arrays.copyOfRange(resident, capacity / 2, capacity);
        long[] flood = LongStream.range(0, capacity - capacity / 2).map(k -> 5000 + k).toArray();
        cache.replace(resident, 0, capacity, rows(resident, DIMENSION, 0), 0);
        assertThat(cache.query(hot, 0, hot.length, out(hot.length, DIMENSION), 0, new MissList(hot.length)))
                .isEqualTo(hot.length);

        cache.replace(flood, 0, flood.length, rows(flood, DIMENSION, 0), 0);

        assertThat(hitKeys(cache, hot)).containsExactlyElementsOf(boxed(hot));
        assertThat(hitKeys(cache, cold)).isEmpty();
        assertThat(hitKeys(cache, flood)).containsExactlyElementsOf(boxed(flood));
        assertThat(cache.evictions()).isEqualTo(flood.length);
        assertThat(cache.size()).isEqualTo(capacity);
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldUpdateOnlyResidentKeys(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        cache.replace(new long[] {1, 2}, 0, 2, rows(new long[] {1, 2}, DIMENSION, 0), 0);
        long[] updates = {2, 3};

        int updated = cache.update(updates, 0, 2, rows(updates, DIMENSION, 1), 0);

        assertThat(updated).isEqualTo(1);
        long[] keys = {1, 2, 3};
        MemorySegment out = out(3, DIMENSION);
        MissList misses = new MissList(3);
        assertThat(cache.query(keys, 0, 3, out, 0, misses)).isEqualTo(2);
        assertRow(out, 0, DIMENSION, 1, 0);
        assertRow(out, 1, DIMENSION, 2, 1);
        assertThat(missesOf(misses)).containsExactly(2);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.counters().insertions()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldInvalidateOnlyTheGivenKeys(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        long[] keys = {1, 2, 3};
        cache.replace(keys, 0, 3, rows(keys, DIMENSION, 0), 0);

        int removed = cache.invalidate(new long[] {2, 99}, 0, 2);

        assertThat(removed).isEqualTo(1);
        assertThat(hitKeys(cache, keys)).containsExactly(1L, 3L);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.invalidate(new long[] {2}, 0, 1)).isZero();
        cache.replace(new long[] {2}, 0, 1, rows(new long[] {2}, DIMENSION, 4), 0);
        MemorySegment out = out(1, DIMENSION);
        assertThat(cache.query(new long[] {2}, 0, 1, out, 0, new MissList(1))).isEqualTo(1);
        assertRow(out, 0, DIMENSION, 2, 4);
        assertThat(cache.size()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldDumpExactlyTheResidentKeysWithTheirVectors(CacheMode mode) {
        DeviceCache cache = cache(mode, 256, DIMENSION);
        long[] keys = LongStream.range(0, 50).map(k -> k * 1_000_003L - 25).toArray();
        cache.replace(keys, 0, keys.length, rows(keys, DIMENSION, 0), 0);
        cache.invalidate(keys, 0, 10);
        cache.update(keys, 10, 5, rows(Arrays.copyOfRange(keys, 10, 15), DIMENSION, 1), 0);

        Map<Long, int[]> dumped = dump(cache);

        assertThat(dumped.keySet()).containsExactlyInAnyOrderElementsOf(
                LongStream.of(keys).skip(10).boxed().toList());
        for (int i = 10; i < keys.length; i++) {
            assertThat(dumped.get(keys[i])).containsExactly(words(keys[i], i < 15 ? 1 : 0, DIMENSION));
        }
        Set<Long> dumpedKeys = new HashSet<>();
        cache.dumpKeys(dumpedKeys::add);
        assertThat(dumpedKeys).isEqualTo(dumped.keySet());
    }

    @Test
    void shouldHoldTheWholeTableAndRejectMoreInStaticMode() {
        DeviceCache cache = cache(CacheMode.STATIC, 1000, DIMENSION);
        long[] table = LongStream.range(0, 1000).map(k -> k * 31 - 500).toArray();

        cache.replace(table, 0, table.length, rows(table, DIMENSION, 0), 0);

        assertThat(cache.capacity()).isEqualTo(1000);
        assertThat(cache.size()).isEqualTo(1000);
        assertThat(cache.occupancy()).isEqualTo(1.0);
        cache.replace(table, 0, 10, rows(Arrays.copyOf(table, 10), DIMENSION, 1), 0);
        assertThatThrownBy(() -> cache.replace(new long[] {1_000_000}, 0, 1,
                rows(new long[] {1_000_000}, DIMENSION, 0), 0))
                .isInstanceOf(CacheCapacityExceededException.class)
                .hasMessageContaining("capacityRows=1000");
        MemorySegment out = out(table.length, DIMENSION);
        MissList misses = new MissList(table.length);
        assertThat(cache.query(table, 0, table.length, out, 0, misses)).isEqualTo(table.length);
        assertRow(out, 0, DIMENSION, table[0], 1);
        assertRow(out, 999, DIMENSION, table[999], 0);
        assertThat(cache.evictions()).isZero();
        assertThat(cache.size()).isEqualTo(1000);
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldAnswerEveryOccurrenceOfARepeatedKey(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        cache.replace(new long[] {7}, 0, 1, rows(new long[] {7}, DIMENSION, 0), 0);
        long[] keys = {7, 8, 7, 8};
        MemorySegment out = out(keys.length, DIMENSION);
        MissList misses = new MissList(keys.length);

        assertThat(cache.query(keys, 0, keys.length, out, 0, misses)).isEqualTo(2);

        assertThat(missesOf(misses)).containsExactly(1, 3);
        assertRow(out, 0, DIMENSION, 7, 0);
        assertRow(out, 2, DIMENSION, 7, 0);
        assertThat(cache.counters().hits()).isEqualTo(2);
        assertThat(cache.counters().misses()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldKeepARepeatedKeyOfAReplaceBatchOnce(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        long[] keys = {5, 5, 6};
        MemorySegment vectors = arena.allocate(3 * DIMENSION * 4L);
        writeRow(vectors, 0, DIMENSION, 5, 1);
        writeRow(vectors, 1, DIMENSION, 5, 2);
        writeRow(vectors, 2, DIMENSION, 6, 0);

        cache.replace(keys, 0, keys.length, vectors, 0);

        assertThat(cache.size()).isEqualTo(2);
        assertThat(dump(cache).keySet()).containsExactlyInAnyOrder(5L, 6L);
        int[] five = dump(cache).get(5L);
        assertThat(five).satisfiesAnyOf(
                v -> assertThat(v).containsExactly(words(5, 1, DIMENSION)),
                v -> assertThat(v).containsExactly(words(5, 2, DIMENSION)));
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldTreatEveryKeyValueAsAnOrdinaryKey(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        long[] edges = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1, 0xFFFFFFFFL};
        assertThat(hitKeys(cache, edges)).isEmpty();
        long[] allButMin = {0, -1, Long.MAX_VALUE, 1, 0xFFFFFFFFL};

        cache.replace(allButMin, 0, allButMin.length, rows(allButMin, DIMENSION, 0), 0);

        assertThat(hitKeys(cache, edges)).containsExactlyElementsOf(boxed(allButMin));
        cache.replace(new long[] {Long.MIN_VALUE}, 0, 1, rows(new long[] {Long.MIN_VALUE}, DIMENSION, 0), 0);
        assertThat(hitKeys(cache, edges)).containsExactlyElementsOf(boxed(edges));
        assertThat(cache.invalidate(new long[] {0, Long.MAX_VALUE}, 0, 2)).isEqualTo(2);
        assertThat(hitKeys(cache, edges)).containsExactly(-1L, Long.MIN_VALUE, 1L, 0xFFFFFFFFL);
        Map<Long, int[]> dumped = dump(cache);
        assertThat(dumped.keySet()).containsExactlyInAnyOrder(-1L, Long.MIN_VALUE, 1L, 0xFFFFFFFFL);
        assertThat(dumped.get(Long.MIN_VALUE)).containsExactly(words(Long.MIN_VALUE, 0, DIMENSION));
        assertThat(cache.size()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldForgetEverythingOnClearAndAcceptNewKeys(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        long[] first = LongStream.range(0, 64).toArray();
        cache.replace(first, 0, first.length, rows(first, DIMENSION, 0), 0);

        cache.clear();

        assertThat(cache.size()).isZero();
        assertThat(hitKeys(cache, first)).isEmpty();
        assertThat(dump(cache)).isEmpty();
        long[] second = LongStream.range(100, 164).toArray();
        cache.replace(second, 0, second.length, rows(second, DIMENSION, 2), 0);
        MemorySegment out = out(second.length, DIMENSION);
        MissList misses = new MissList(second.length);
        cache.query(second, 0, second.length, out, 0, misses);
        assertHitsMatch(second, out, misses, 2);
        assertThat(hitKeys(cache, first)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldRejectBuffersTooSmallForTheBatch(CacheMode mode) {
        DeviceCache cache = cache(mode, 64, DIMENSION);
        long[] keys = {1, 2, 3};

        assertThatThrownBy(() -> cache.query(keys, 0, 3, out(3, DIMENSION), 0, new MissList(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxCount=2");
        assertThatThrownBy(() -> cache.query(keys, 0, 3, out(2, DIMENSION), 0, new MissList(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows=3");
        assertThatThrownBy(() -> cache.replace(keys, 0, 3, out(3, DIMENSION), 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offsetBytes=4");
        assertThatThrownBy(() -> cache.invalidate(keys, 2, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(cache.size()).isZero();
    }

    @ParameterizedTest
    @EnumSource(CacheMode.class)
    void shouldNeverReturnATornOrForeignVectorUnderConcurrentWrites(CacheMode mode) throws InterruptedException {
        int dimension = 256;
        int keyCount = 24;
        DeviceCache cache = cache(mode, mode == CacheMode.STATIC ? keyCount : ONE_SET_CAPACITY, dimension);
        long[] keys = LongStream.range(0, keyCount).map(k -> k * 0x9E3779B97F4A7C15L).toArray();
        int writerVersions = 400;
        AtomicBoolean readersDone = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            threads.add(Thread.ofPlatform().unstarted(guarded(failure, () -> {
                start.await();
                write(cache, keys, dimension, writer, writerVersions, readersDone);
            })));
        }
        for (int r = 0; r < 2; r++) {
            long seed = r;
            threads.add(Thread.ofPlatform().unstarted(guarded(failure, () -> {
                start.await();
                read(cache, keys, dimension, seed, 2 * writerVersions);
            })));
        }
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads.subList(2, 4)) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        }
        readersDone.set(true);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(thread.isAlive()).as("worker finished").isFalse();
        }
        assertThat(failure.get()).isNull();
        assertThat(cache.size()).isLessThanOrEqualTo(cache.capacity());
    }

    /**
     * Writer {@code writer} stores versions {@code writer, writer + 2, ...} until readers finish:
     * mostly replaces, some updates and invalidations, now and then a clear.
     */
    private void write(DeviceCache cache, long[] keys, int dimension, int writer, int versions,
            AtomicBoolean readersDone) {
        SplittableRandom random = new SplittableRandom(100 + writer);
        long[] batch = new long[16];
        try (Arena writerArena = Arena.ofConfined()) {
            MemorySegment vectors = writerArena.allocate(batch.length * dimension * 4L);
            for (int round = 0; round < versions || !readersDone.get(); round++) {
                int version = writer + 2 * (round % versions);
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = keys[random.nextInt(keys.length)];
                    writeRow(vectors, i, dimension, batch[i], version);
                }
                if (round % 64 == 63) {
                    cache.clear();
                } else if (round % 8 == 7) {
                    cache.invalidate(batch, 0, 2);
                } else if (round % 4 == 1) {
                    cache.update(batch, 0, batch.length, vectors, 0);
                } else {
                    cache.replace(batch, 0, batch.length, vectors, 0);
                }
            }
        }
    }

    private void read(DeviceCache cache, long[] keys, int dimension, long seed, int rounds) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] batch = new long[32];
        MissList misses = new MissList(batch.length);
        try (Arena readerArena = Arena.ofConfined()) {
            MemorySegment out = readerArena.allocate(batch.length * dimension * 4L);
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = keys[random.nextInt(keys.length)];
                }
                cache.query(batch, 0, batch.length, out, 0, misses);
                assertSelfConsistentHits(batch, out, misses, dimension);
            }
        }
    }

    private static void assertSelfConsistentHits(long[] batch, MemorySegment out, MissList misses, int dimension) {
        int next = 0;
        for (int i = 0; i < batch.length; i++) {
            if (next < misses.count() && misses.index(next) == i) {
                next++;
            } else if (!isVectorOf(batch[i], out, i, dimension)) {
                assertRow(out, i, dimension, batch[i], out.getAtIndex(ValueLayout.JAVA_INT, (long) i * dimension + 1));
            }
        }
    }

    private static boolean isVectorOf(long key, MemorySegment out, int i, int dimension) {
        long base = (long) i * dimension;
        int[] expected = words(key, out.getAtIndex(ValueLayout.JAVA_INT, base + 1), dimension);
        for (int j = 0; j < dimension; j++) {
            if (out.getAtIndex(ValueLayout.JAVA_INT, base + j) != expected[j]) {
                return false;
            }
        }
        return true;
    }

    private static Runnable guarded(AtomicReference<Throwable> failure, ThrowingRunnable body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Creates a cache this test owns and closes. */
    protected final DeviceCache cache(CacheMode mode, long capacityRows, int dimension) {
        DeviceCache cache = create(mode, capacityRows, dimension);
        caches.add(cache);
        assertThat(cache.mode()).isEqualTo(mode);
        assertThat(cache.dimension()).isEqualTo(dimension);
        assertThat(cache.capacity()).isGreaterThanOrEqualTo(capacityRows);
        return cache;
    }

    /**
     * Word {@code j} of the test vector of a key at a version: word 0 identifies the key, word 1
     * is the version, the others mix both, so a torn or foreign vector never matches.
     */
    protected static int[] words(long key, int version, int dimension) {
        int[] words = new int[dimension];
        words[0] = (int) (key ^ key >>> 32);
        words[1] = version;
        for (int j = 2; j < dimension; j++) {
            words[j] = (int) mix(key + version * 0x632BE59BD9B4E019L + j * 0x9E3779B97F4A7C15L);
        }
        return words;
    }

    private static long mix(long x) {
        long z = x;
        z = (z ^ z >>> 30) * 0xBF58476D1CE4E5B9L;
        z = (z ^ z >>> 27) * 0x94D049BB133111EBL;
        return z ^ z >>> 31;
    }

    /** Rows of test vectors for the keys at one version, in this test's arena. */
    protected final MemorySegment rows(long[] keys, int dimension, int version) {
        MemorySegment rows = arena.allocate(keys.length * dimension * 4L);
        for (int i = 0; i < keys.length; i++) {
            writeRow(rows, i, dimension, keys[i], version);
        }
        return rows;
    }

    private static void writeRow(MemorySegment rows, int i, int dimension, long key, int version) {
        MemorySegment.copy(words(key, version, dimension), 0, rows, ValueLayout.JAVA_INT,
                (long) i * dimension * 4, dimension);
    }

    private MemorySegment out(int rows, int dimension) {
        return arena.allocate(rows * dimension * 4L);
    }

    private static void assertRow(MemorySegment out, int i, int dimension, long key, int version) {
        int[] row = out.asSlice((long) i * dimension * 4, dimension * 4L).toArray(ValueLayout.JAVA_INT);
        assertThat(row).as("row %d (key %d)", i, key).containsExactly(words(key, version, dimension));
    }

    private static void assertHitsMatch(long[] keys, MemorySegment out, MissList misses, int version) {
        Set<Integer> missed = new HashSet<>();
        for (int m = 0; m < misses.count(); m++) {
            missed.add(misses.index(m));
        }
        for (int i = 0; i < keys.length; i++) {
            if (!missed.contains(i)) {
                assertRow(out, i, DIMENSION, keys[i], version);
            }
        }
    }

    private static List<Long> boxed(long[] keys) {
        return LongStream.of(keys).boxed().toList();
    }

    private static List<Integer> missesOf(MissList misses) {
        List<Integer> indices = new ArrayList<>();
        for (int m = 0; m < misses.count(); m++) {
            indices.add(misses.index(m));
        }
        return indices;
    }

    /** The keys of {@code keys} that hit, in order. */
    private List<Long> hitKeys(DeviceCache cache, long[] keys) {
        MissList misses = new MissList(keys.length);
        cache.query(keys, 0, keys.length, out(keys.length, cache.dimension()), 0, misses);
        Set<Integer> missed = new HashSet<>(missesOf(misses));
        List<Long> hits = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            if (!missed.contains(i)) {
                hits.add(keys[i]);
            }
        }
        return hits;
    }

    private static Map<Long, int[]> dump(DeviceCache cache) {
        Map<Long, int[]> entries = new HashMap<>();
        cache.dump((key, vector) -> {
            assertThat(vector.byteSize()).isEqualTo(cache.dimension() * 4L);
            assertThat(entries.put(key, vector.toArray(ValueLayout.JAVA_INT))).as("key %d dumped once", key).isNull();
        });
        return entries;
    }
}
