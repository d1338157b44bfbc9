package io.hps.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hps.gpu.GpuRuntime;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The device cache contract on {@link GpuEmbeddingCache}, both modes, with staging chunks of {@value #CHUNK_ROWS}
 * rows so that the contract's larger batches cross chunks; plus the device table's own cases: misses in key order
 * across chunks, static sets overflowing into the next, one complete row for a key repeated across warps, and the
 * first rejected key of a static table.
 */
@Tag("gpu")
class GpuDeviceCacheTest extends DeviceCacheContract {
    private static final int CHUNK_ROWS = 96;
    private static final int DIMENSION = 8;

    @Override
    protected DeviceCache create(CacheMode mode, long capacityRows, int dimension) {
        return GpuEmbeddingCache.open(GpuRuntime.device(0), new DeviceCacheConfig(mode, capacityRows, dimension),
                CHUNK_ROWS);
    }

    @Test
    void shouldListMissesInKeyOrderAcrossChunks() {
        DeviceCache cache = cache(CacheMode.DYNAMIC, 4096, DIMENSION);
        long[] resident = LongStream.range(0, 500).map(k -> 3 * k).toArray();
        cache.replace(resident, 0, resident.length, rows(resident, DIMENSION, 5), 0);
        long[] keys = LongStream.range(0, 1000).map(k -> 1000 - k).toArray();
        MissList misses = new MissList(keys.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(keys.length * DIMENSION * 4L);

            int hits = cache.query(keys, 0, keys.length, out, 0, misses);

            List<Integer> expectedMisses = new ArrayList<>();
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] % 3 != 0 || keys[i] >= 1500) {
                    expectedMisses.add(i);
                } else {
                    assertThat(row(out, i, DIMENSION)).as("key %d", keys[i]).containsExactly(words(keys[i], 5, DIMENSION));
                }
            }
            assertThat(hits).isEqualTo(keys.length - expectedMisses.size());
            assertThat(indices(misses)).containsExactlyElementsOf(expectedMisses);
        }
    }

    @Test
    void shouldOverflowFullSetsOfAStaticTableIntoTheNextSet() {
        int capacity = 64;
        int sets = capacity / 16;
        DeviceCache cache = cache(CacheMode.STATIC, capacity, DIMENSION);
        long[] crowded = LongStream.iterate(1, k -> k + 1).filter(k -> KeyHash.bucket(k, sets) == sets - 1)
                .limit(48).toArray();
        cache.replace(crowded, 0, crowded.length, rows(crowded, DIMENSION, 1), 0);

        assertThat(cache.size()).isEqualTo(crowded.length);
        assertThat(dumpedKeys(cache)).containsOnlyKeys(LongStream.of(crowded).boxed().toList());
        assertThat(cache.invalidate(crowded, 0, 40)).isEqualTo(40);
        assertThat(cache.update(crowded, 30, 18, rows(slice(crowded, 30, 18), DIMENSION, 2), 0)).isEqualTo(8);
        cache.replace(crowded, 0, 1, rows(slice(crowded, 0, 1), DIMENSION, 3), 0);
        MissList misses = new MissList(crowded.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(crowded.length * DIMENSION * 4L);
            assertThat(cache.query(crowded, 0, crowded.length, out, 0, misses)).isEqualTo(9);
            assertThat(row(out, 0, DIMENSION)).containsExactly(words(crowded[0], 3, DIMENSION));
            for (int i = 40; i < crowded.length; i++) {
                assertThat(row(out, i, DIMENSION)).containsExactly(words(crowded[i], 2, DIMENSION));
            }
        }
        assertThat(misses.count()).isEqualTo(39);
        assertThat(cache.size()).isEqualTo(9);
    }

    @Test
    void shouldKeepOneCompleteRowForAKeyRepeatedAcrossWarps() {
        int dimension = 64;
        DeviceCache cache = GpuEmbeddingCache.open(GpuRuntime.device(0),
                new DeviceCacheConfig(CacheMode.DYNAMIC, 32, dimension));
        try (cache; Arena arena = Arena.ofConfined()) {
            long[] distinct = LongStream.range(0, 24).map(k -> k * 0x9E3779B97F4A7C15L).toArray();
            int count = 8192;
            long[] keys = new long[count];
            MemorySegment vectors = arena.allocate((long) count * dimension * 4);
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < count; i++) {
                keys[i] = distinct[random.nextInt(distinct.length)];
                MemorySegment.copy(words(keys[i], i, dimension), 0, vectors, ValueLayout.JAVA_INT,
                        (long) i * dimension * 4, dimension);
            }

            cache.replace(keys, 0, count, vectors, 0);

            Map<Long, int[]> dumped = dumpedKeys(cache);
            assertThat(dumped).hasSize(distinct.length);
            for (Map.Entry<Long, int[]> entry : dumped.entrySet()) {
                int version = entry.getValue()[1];
                assertThat(keys[version]).isEqualTo(entry.getKey());
                assertThat(entry.getValue()).containsExactly(words(entry.getKey(), version, dimension));
            }
            assertThat(cache.size()).isEqualTo(distinct.length);
            assertThat(cache.counters().insertions()).isEqualTo(distinct.length);
        }
    }

    @Test
    void shouldStoreEveryKeyBeforeTheFirstOneAStaticTableRejects() {
        DeviceCache cache = cache(CacheMode.STATIC, 100, DIMENSION);
        long[] keys = LongStream.range(0, 150).map(k -> k * 7 + 1).toArray();

        CacheCapacityExceededException rejected = catchThrowableOfType(CacheCapacityExceededException.class,
                () -> cache.replace(keys, 0, keys.length, rows(keys, DIMENSION, 0), 0));

        assertThat(rejected).hasMessageStartingWith("static cache full: capacityRows=100 key=");
        long rejectedKey = Long.parseLong(rejected.getMessage().substring(rejected.getMessage().indexOf("key=") + 4));
        int rejectedIndex = LongStream.range(0, keys.length).filter(i -> keys[(int) i] == rejectedKey)
                .mapToObj(i -> (int) i).findFirst().orElseThrow();
        Map<Long, int[]> dumped = dumpedKeys(cache);
        assertThat(dumped).hasSize(100).doesNotContainKey(rejectedKey);
        for (int i = 0; i < rejectedIndex; i++) {
            assertThat(dumped).containsKey(keys[i]);
        }
        for (Map.Entry<Long, int[]> entry : dumped.entrySet()) {
            assertThat(entry.getValue()).containsExactly(words(entry.getKey(), 0, DIMENSION));
        }
        assertThat(cache.size()).isEqualTo(100);
        assertThat(cache.evictions()).isZero();
    }

    private static int[] row(MemorySegment out, int i, int dimension) {
        return out.asSlice((long) i * dimension * 4, dimension * 4L).toArray(ValueLayout.JAVA_INT);
    }

    private static long[] slice(long[] keys, int offset, int count) {
        return Arrays.copyOfRange(keys, offset, offset + count);
    }

    private static List<Integer> indices(MissList misses) {
        List<Integer> list = new ArrayList<>();
        for (int m = 0; m < misses.count(); m++) {
            list.add(misses.index(m));
        }
        return list;
    }

    private static Map<Long, int[]> dumpedKeys(DeviceCache cache) {
        Map<Long, int[]> entries = new HashMap<>();
        cache.dump((key, vector) -> assertThat(entries.put(key, vector.toArray(ValueLayout.JAVA_INT))).isNull());
        return entries;
    }
}
