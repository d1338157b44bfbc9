package io.hps.cache;

/** The device cache contract on the CPU caches, both modes. */
class CpuDeviceCacheTest extends DeviceCacheContract {
    @Override
    protected DeviceCache create(CacheMode mode, long capacityRows, int dimension) {
        return DeviceCache.onCpu(new DeviceCacheConfig(mode, capacityRows, dimension));
    }
}
