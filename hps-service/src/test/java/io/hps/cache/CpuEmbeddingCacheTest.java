package io.hps.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** What the set-associative CPU cache adds to the contract: its geometry. */
class CpuEmbeddingCacheTest {

    @Test
    void shouldRoundCapacityUpToWholeSets() {
        try (CpuEmbeddingCache small = new CpuEmbeddingCache(new DeviceCacheConfig(CacheMode.DYNAMIC, 1, 4));
                CpuEmbeddingCache large = new CpuEmbeddingCache(new DeviceCacheConfig(CacheMode.DYNAMIC, 1000, 4))) {
            assertThat(small.capacity()).isEqualTo(CpuEmbeddingCache.WAYS);
            assertThat(large.capacity()).isEqualTo(1024);
        }
    }

    @Test
    void shouldSpreadStridedKeysOverAllSets() {
        int sets = 64;
        try (CpuEmbeddingCache cache = new CpuEmbeddingCache(
                        new DeviceCacheConfig(CacheMode.DYNAMIC, (long) sets * CpuEmbeddingCache.WAYS, 4));
                Arena arena = Arena.ofConfined()) {
            long[] keys = LongStream.range(0, cache.capacity() / 2).map(k -> k * sets).toArray();
            MemorySegment vectors = arena.allocate(keys.length * 16L);

            cache.replace(keys, 0, keys.length, vectors, 0);

            assertThat(cache.evictions()).isZero();
            assertThat(cache.size()).isEqualTo(keys.length);
        }
    }

    @Test
    void shouldRefuseAStaticConfiguration() {
        assertThatThrownBy(() -> new CpuEmbeddingCache(new DeviceCacheConfig(CacheMode.STATIC, 10, 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mode=STATIC");
    }
}
