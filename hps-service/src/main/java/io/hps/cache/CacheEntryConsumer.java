package io.hps.cache;

import java.lang.foreign.MemorySegment;

/** Receives the entries of a {@link DeviceCache#dump(CacheEntryConsumer) dump}, one at a time. */
@FunctionalInterface
public interface CacheEntryConsumer {
    /**
     * @param key a key resident in the cache
     * @param vector its vector, {@code dimension} floats in native byte order; a view owned by
     *     the cache that is valid only until this call returns (copy what must outlive it)
     */
    void accept(long key, MemorySegment vector);
}
