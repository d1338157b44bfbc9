/**
 * The embedding cache that sits in front of the tiers: one {@link io.hps.cache.DeviceCache} per
 * (model, table), in device memory when a GPU serves the table and in CPU memory otherwise.
 *
 * <p>Two modes follow HugeCTR's HPS: a {@link io.hps.cache.CacheMode#DYNAMIC dynamic} cache holds
 * the hot fraction of a table ({@code gpucacheper} x rows) and evicts the least recently used rows
 * of a set when it is full; a {@link io.hps.cache.CacheMode#STATIC static} table holds every row
 * of the table and never evicts (the "native" path). {@code DeviceCacheContract}, in
 * this module's test jar, is the suite every implementation passes. {@link io.hps.cache.KeyDeduplicator}
 * reduces a batch to its distinct keys before it reaches the cache.
 */
package io.hps.cache;
