package io.hps.tier;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HashMapTierTest extends EmbeddingTierContract {

    @Override
    protected EmbeddingTier openTier() {
        return new HashMapTier(new HashMapTierSettings(8, Integer.MAX_VALUE, OverflowPolicy.EVICT_RANDOM, 0.8, 4096));
    }

    @Override
    protected TierKind expectedKind() {
        return TierKind.HASH_MAP;
    }

    private HashMapTier bounded(int partitions, int margin, OverflowPolicy policy, double target) {
        tier.close();
        HashMapTier bounded = new HashMapTier(new HashMapTierSettings(partitions, margin, policy, target, 4096));
        tier = bounded;
        return bounded;
    }

    private void putEach(TierTable table, long[] keys, MemorySegment vectors) {
        for (int i = 0; i < keys.length; i++) {
            MemorySegment one = vectors.asSlice((long) i * table.vectorBytes(), table.vectorBytes());
            assertThat(tier.put(table, new long[] {keys[i]}, 1, one, generous()).isOk()).isTrue();
        }
    }

    private void read(TierTable table, long... keys) {
        tier.get(table, keys, keys.length, filled(keys.length, table.dimension(), (byte) 0), new boolean[keys.length],
                generous());
    }

    /** Asserts which of {@code keys} are present and that every present key still has its own vector. */
    private void assertSurvivors(TierTable table, long[] keys, MemorySegment vectors, long... survivors) {
        MemorySegment out = filled(keys.length, table.dimension(), (byte) 0);
        boolean[] found = new boolean[keys.length];
        tier.get(table, keys, keys.length, out, found, generous());
        long[] present = LongStream.range(0, keys.length).filter(i -> found[(int) i]).map(i -> keys[(int) i]).toArray();
        assertThat(present).containsExactlyInAnyOrder(survivors);
        for (int i = 0; i < keys.length; i++) {
            if (found[i]) {
                assertSameVector(out, i, vectors, i, table.dimension());
            }
        }
    }

    private static long[] withNewcomer(long newcomer) {
        return LongStream.concat(LongStream.range(0, 10), LongStream.of(newcomer)).toArray();
    }

    @Test
    void shouldEvictOldestTouchedEntriesDownToTheTarget() {
        HashMapTier bounded = bounded(1, 10, OverflowPolicy.EVICT_OLDEST, 0.5);
        TierTable table = table("oldest", 4);
        long[] keys = withNewcomer(100);
        MemorySegment vectors = randomVectors(keys.length, 4, 31);
        putEach(table, java.util.Arrays.copyOf(keys, 10), vectors);
        read(table, 0, 1, 2);

        putEach(table, new long[] {100}, vectors.asSlice(10L * table.vectorBytes()));

        assertSurvivors(table, keys, vectors, 0, 1, 2, 8, 9, 100);
        assertThat(bounded.evictions()).isEqualTo(5);
    }

    @Test
    void shouldEvictLeastUsedEntriesAndKeepTheOftenRead() {
        HashMapTier bounded = bounded(1, 10, OverflowPolicy.EVICT_LEAST_USED, 0.5);
        TierTable table = table("least_used", 4);
        long[] keys = withNewcomer(100);
        MemorySegment vectors = randomVectors(keys.length, 4, 32);
        putEach(table, java.util.Arrays.copyOf(keys, 10), vectors);
        read(table, 5, 6, 7, 8, 9, 0, 1);
        read(table, 5, 6, 7, 8, 9);

        putEach(table, new long[] {100}, vectors.asSlice(10L * table.vectorBytes()));

        assertSurvivors(table, keys, vectors, 5, 6, 7, 8, 9, 100);
        assertThat(bounded.evictions()).isEqualTo(5);
    }

    @Test
    void shouldEvictRandomEntriesButKeepTheNewcomer() {
        HashMapTier bounded = bounded(1, 10, OverflowPolicy.EVICT_RANDOM, 0.5);
        TierTable table = table("random", 4);
        long[] keys = withNewcomer(100);
        MemorySegment vectors = randomVectors(keys.length, 4, 33);
        putEach(table, java.util.Arrays.copyOf(keys, 10), vectors);

        putEach(table, new long[] {100}, vectors.asSlice(10L * table.vectorBytes()));

        boolean[] found = new boolean[keys.length];
        MemorySegment out = filled(keys.length, 4, (byte) 0);
        assertThat(tier.get(table, keys, keys.length, out, found, generous())).isEqualTo(TierResult.ok(6));
        assertThat(found[10]).isTrue();
        for (int i = 0; i < keys.length; i++) {
            if (found[i]) {
                assertSameVector(out, i, vectors, i, 4);
            }
        }
        assertThat(bounded.evictions()).isEqualTo(5);
    }

    @Test
    void shouldNotEvictWhenUpdatingAKeyOfAFullPartition() {
        HashMapTier bounded = bounded(1, 10, OverflowPolicy.EVICT_OLDEST, 0.5);
        TierTable table = table("full_update", 4);
        long[] keys = LongStream.range(0, 10).toArray();
        tier.put(table, keys, 10, randomVectors(10, 4, 34), generous());

        tier.put(table, new long[] {3}, 1, randomVectors(1, 4, 35), generous());

        assertThat(bounded.evictions()).isZero();
        assertThat(tier.size(table, generous())).isEqualTo(TierResult.ok(10));
    }

    @Test
    void shouldBoundEveryPartitionByTheOverflowMargin() {
        HashMapTier bounded = bounded(4, 100, OverflowPolicy.EVICT_RANDOM, 0.8);
        TierTable table = table("bounded", 8);
        long[] keys = distinctKeys(10_000, 36);
        MemorySegment vectors = randomVectors(keys.length, 8, 37);

        assertThat(tier.put(table, keys, keys.length, vectors, generous())).isEqualTo(TierResult.ok(10_000));

        long size = tier.size(table, generous()).count();
        assertThat(size).isBetween(4L * 80, 4L * 100);
        assertThat(bounded.evictions()).isEqualTo(keys.length - size);
        MemorySegment out = filled(keys.length, 8, (byte) 0);
        boolean[] found = new boolean[keys.length];
        assertThat(tier.get(table, keys, keys.length, out, found, generous()).count()).isEqualTo(size);
        for (int i = 0; i < keys.length; i++) {
            if (found[i]) {
                assertSameVector(out, i, vectors, i, 8);
            }
        }
    }

    @Test
    void shouldPublishEvictionsAsACounter() {
        HashMapTier bounded = bounded(1, 10, OverflowPolicy.EVICT_RANDOM, 0.5);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        bounded.bindTo(registry);
        tier.put(table("metered", 2), LongStream.range(0, 11).toArray(), 11, randomVectors(11, 2, 38), generous());

        assertThat(registry.get("hps.tier.evictions").tag("tier", "hash_map").functionCounter().count()).isEqualTo(5.0);
    }

    @Test
    void shouldAgreeWithAReferenceMapUnderRandomPutsAndRemoves() {
        TierTable table = table("reference", 3);
        SplittableRandom random = new SplittableRandom(39);
        Map<Long, Integer> reference = new HashMap<>();
        MemorySegment vectors = randomVectors(1, 3, 0);
        for (int step = 0; step < 20_000; step++) {
            long key = random.nextInt(500) - 250;
            if (random.nextInt(3) == 0) {
                long removed = tier.remove(table, new long[] {key}, 1, generous()).count();
                assertThat(removed).isEqualTo(reference.remove(key) == null ? 0 : 1);
            } else {
                int value = random.nextInt();
                vectors.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, value);
                tier.put(table, new long[] {key}, 1, vectors, generous());
                reference.put(key, value);
            }
        }
        long[] keys = LongStream.range(-250, 250).toArray();
        MemorySegment out = filled(keys.length, 3, (byte) 0);
        boolean[] found = new boolean[keys.length];
        tier.get(table, keys, keys.length, out, found, generous());
        for (int i = 0; i < keys.length; i++) {
            Integer expected = reference.get(keys[i]);
            assertThat(found[i]).as("key %d", keys[i]).isEqualTo(expected != null);
            if (expected != null) {
                assertThat(out.get(java.lang.foreign.ValueLayout.JAVA_INT, (long) i * 12)).isEqualTo(expected);
            }
        }
        assertThat(tier.size(table, generous()).count()).isEqualTo(reference.size());
    }

    @Test
    void shouldRejectADimensionThatDisagreesWithTheStoredTable() {
        tier.put(table("shape", 4), new long[] {1}, 1, randomVectors(1, 4, 40), generous());
        assertThatThrownBy(() -> tier.get(table("shape", 8), new long[] {1}, 1, filled(1, 8, (byte) 0),
                new boolean[1], generous()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dimension=8 stored=4");
    }

    @Test
    void shouldRejectAnOutputSegmentTooSmallForTheBatch() {
        assertThatThrownBy(() -> tier.get(table("small", 4), new long[] {1, 2}, 2, filled(1, 4, (byte) 0),
                new boolean[2], generous()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needed=32");
    }
}
