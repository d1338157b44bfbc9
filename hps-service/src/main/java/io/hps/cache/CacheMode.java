package io.hps.cache;

/** How a {@link DeviceCache} holds its table. */
public enum CacheMode {
    /**
     * The whole table is resident: built once from all rows, never evicts. Inserting a new key
     * into a full static cache is a broken invariant ({@link CacheCapacityExceededException}).
     * HugeCTR's {@code use_static_table}.
     */
    STATIC,
    /**
     * A bounded cache of the hot rows: inserting into a full set evicts that set's least
     * recently used row. HugeCTR's dynamic embedding cache sized by {@code gpucacheper}.
     */
    DYNAMIC
}
