package io.hps.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.cache.CacheMode;
import io.hps.cache.CpuEmbeddingCache;
import io.hps.cache.DeviceCacheConfig;
import io.hps.tier.Deadline;
import io.hps.tier.HashMapTier;
import io.hps.tier.HashMapTierSettings;
import io.hps.tier.TierTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LookupSessionTest {
    static final int DIMENSION = 4;
    static final long ROW = DIMENSION * 4L;
    static final float DEFAULT = -1f;

    private final Arena arena = Arena.ofConfined();
    private final TierTable table = new TierTable("m", "t", DIMENSION);
    private final HashMapTier tier = new HashMapTier(HashMapTierSettings.DEFAULTS);
    private final CpuEmbeddingCache cache = new CpuEmbeddingCache(new DeviceCacheConfig(CacheMode.DYNAMIC, 64, DIMENSION));
    private final LookupSession session = new LookupSession("m", List.of(new LookupTable(table, 16, DEFAULT, cache)),
            List.of(tier), LookupSettings.DEFAULTS.withHitRateThreshold(1.0), LookupMetrics.unpublished("m", List.of("hash_map")));

    @AfterEach
    void close() {
        session.close();
        cache.close();
        tier.close();
        arena.close();
    }

    /** Row of key {@code k}: {@code k * 10 + column}. */
    private MemorySegment rows(long... keys) {
        MemorySegment rows = arena.allocate(keys.length * ROW, 64);
        for (int i = 0; i < keys.length; i++) {
            for (int c = 0; c < DIMENSION; c++) {
                rows.setAtIndex(ValueLayout.JAVA_FLOAT, (long) i * DIMENSION + c, keys[i] * 10 + c);
            }
        }
        return rows;
    }

    private static float at(MemorySegment out, int row, int column) {
        return out.getAtIndex(ValueLayout.JAVA_FLOAT, (long) row * DIMENSION + column);
    }

    @Test
    void shouldWriteEveryRepeatOfCachedTierAndUnknownKeysAndCountDistinctKeys() {
        cache.replace(new long[] {1, 2}, 0, 2, rows(1, 2), 0);
        tier.put(table, new long[] {3, 4}, 2, rows(3, 4), Deadline.inNanos(TimeUnit.SECONDS.toNanos(5)));
        long[] keys = {9, 3, 1, 3, 2, 9, 4, 1, 3};
        MemorySegment out = arena.allocate(keys.length * ROW + ROW, 64);
        out.fill((byte) 7);

        LookupOutcome outcome = session.lookup(0, keys, 0, keys.length, out, ROW);

        assertThat(outcome).isEqualTo(new LookupOutcome(9, 5, 2, 2, 1, 0));
        for (int i = 0; i < keys.length; i++) {
            for (int c = 0; c < DIMENSION; c++) {
                float expected = keys[i] == 9 ? DEFAULT : keys[i] * 10 + c;
                assertThat(at(out, i + 1, c)).as("key=%d column=%d", keys[i], c).isEqualTo(expected);
            }
        }
        assertThat(out.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 7);
    }

    @Test
    void shouldCacheWhatTheTiersReturnedSoTheNextLookupHitsOnly() {
        tier.put(table, new long[] {5, 6}, 2, rows(5, 6), Deadline.inNanos(TimeUnit.SECONDS.toNanos(5)));
        long[] keys = {6, 5, 6, 8};
        MemorySegment out = arena.allocate(keys.length * ROW, 64);
        session.lookup(0, keys, 0, keys.length, out, 0);

        LookupOutcome again = session.lookup(0, keys, 0, keys.length, out, 0);

        assertThat(again).isEqualTo(new LookupOutcome(4, 3, 2, 0, 1, 0));
        assertThat(at(out, 2, 3)).isEqualTo(63f);
        assertThat(at(out, 1, 0)).isEqualTo(50f);
        assertThat(at(out, 3, 0)).isEqualTo(DEFAULT);
    }

    @Test
    void shouldReadEveryDistinctKeyFromTheTiersOnceWithoutCache() {
        tier.put(table, new long[] {3, 4}, 2, rows(3, 4), Deadline.inNanos(TimeUnit.SECONDS.toNanos(5)));
        long[] keys = {4, 9, 4, 3};
        MemorySegment out = arena.allocate(keys.length * ROW, 64);
        try (LookupSession uncached = new LookupSession("m", List.of(new LookupTable(table, 16, DEFAULT, null)),
                List.of(tier), LookupSettings.DEFAULTS, LookupMetrics.unpublished("m", List.of("hash_map")))) {
            LookupOutcome outcome = uncached.lookup(0, keys, 0, keys.length, out, 0);

            assertThat(outcome).isEqualTo(new LookupOutcome(4, 3, 0, 2, 1, 0));
        }
        assertThat(at(out, 0, 1)).isEqualTo(41f);
        assertThat(at(out, 1, 1)).isEqualTo(DEFAULT);
        assertThat(at(out, 2, 3)).isEqualTo(43f);
        assertThat(at(out, 3, 0)).isEqualTo(30f);
    }

    @Test
    void shouldAnswerLookupUniqueWithDistinctRowsAndInverse() {
        cache.replace(new long[] {1}, 0, 1, rows(1), 0);
        long[] keys = {1, 7, 1};
        MemorySegment unique = arena.allocate(keys.length * ROW, 64);
        int[] inverse = new int[keys.length];

        LookupOutcome outcome = session.lookupUnique(0, keys, 0, keys.length, unique, 0, inverse);

        assertThat(outcome).isEqualTo(new LookupOutcome(3, 2, 1, 0, 1, 0));
        assertThat(inverse).containsExactly(0, 1, 0);
        assertThat(at(unique, 0, 2)).isEqualTo(12f);
        assertThat(at(unique, 1, 0)).isEqualTo(DEFAULT);
    }
}
