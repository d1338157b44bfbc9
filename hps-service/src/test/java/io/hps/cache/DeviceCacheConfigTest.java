package io.hps.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceCacheConfigTest {

    @Test
    void shouldSizeADynamicCacheByTheCacheFractionOfTheTable() {
        DeviceCacheConfig config = DeviceCacheConfig.forTable(1001, 128, false, 0.5);

        assertThat(config).isEqualTo(new DeviceCacheConfig(CacheMode.DYNAMIC, 501, 128));
        assertThat(config.vectorBytes()).isEqualTo(512);
    }

    @Test
    void shouldHoldTheWholeTableWhenStatic() {
        assertThat(DeviceCacheConfig.forTable(1001, 16, true, 0.1))
                .isEqualTo(new DeviceCacheConfig(CacheMode.STATIC, 1001, 16));
    }

    @Test
    void shouldHoldAtLeastOneRow() {
        assertThat(DeviceCacheConfig.forTable(3, 16, false, 0.01).capacityRows()).isEqualTo(1);
    }

    @Test
    void shouldRejectInvalidShapes() {
        assertThatThrownBy(() -> DeviceCacheConfig.forTable(10, 16, false, 1.5))
                .hasMessage("cache fraction out of (0, 1]: gpucacheper=1.5");
        assertThatThrownBy(() -> new DeviceCacheConfig(CacheMode.DYNAMIC, 0, 16))
                .hasMessage("cache capacity must be positive: capacityRows=0");
        assertThatThrownBy(() -> new DeviceCacheConfig(CacheMode.DYNAMIC, 10, 0))
                .hasMessage("vector dimension must be positive: dimension=0");
        assertThatThrownBy(() -> new DeviceCacheConfig(null, 10, 4)).hasMessage("cache mode missing");
        assertThatThrownBy(() -> new DeviceCacheConfig(CacheMode.STATIC, Long.MAX_VALUE / 4, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cache too large");
    }
}
