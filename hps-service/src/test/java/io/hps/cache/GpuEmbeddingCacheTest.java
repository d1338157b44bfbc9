package io.hps.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@link GpuEmbeddingCache} decides without a device; the contract runs in {@link GpuDeviceCacheTest}. */
class GpuEmbeddingCacheTest {
    @Test
    void shouldSizeStagingChunksByTheVectorBytesInWholeSets() {
        assertThat(GpuEmbeddingCache.defaultChunkRows(128 * 4)).isEqualTo(16384);
        assertThat(GpuEmbeddingCache.defaultChunkRows(4096 * 4)).isEqualTo(1024);
        assertThat(GpuEmbeddingCache.defaultChunkRows(3000 * 4)).isEqualTo(1376);
        assertThat(GpuEmbeddingCache.defaultChunkRows(1 << 30)).isEqualTo(32);
    }
}
