package io.hps.cache;

/**
 * The shape of one {@link DeviceCache}.
 *
 * @param mode static (whole table resident) or dynamic (bounded, evicting)
 * @param capacityRows the number of rows to hold; a dynamic set-associative cache may round it up
 *     to whole sets ({@link DeviceCache#capacity()} tells the actual number)
 * @param dimension floats per vector
 */
public record DeviceCacheConfig(CacheMode mode, long capacityRows, int dimension) {
    /** The largest vector slab, in bytes, a cache may be asked to hold. */
    static final long MAX_SLAB_BYTES = Long.MAX_VALUE / 2;

    public DeviceCacheConfig {
        if (mode == null) {
            throw new IllegalArgumentException("cache mode missing");
        }
        if (capacityRows <= 0) {
            throw new IllegalArgumentException("cache capacity must be positive: capacityRows=" + capacityRows);
        }
        if (dimension <= 0) {
            throw new IllegalArgumentException("vector dimension must be positive: dimension=" + dimension);
        }
        if (capacityRows > MAX_SLAB_BYTES / ((long) dimension * Float.BYTES)) {
            throw new IllegalArgumentException(
                    "cache too large: capacityRows=" + capacityRows + " dimension=" + dimension);
        }
    }

    /**
     * The cache HugeCTR's HPS configuration describes for one table: the whole table when
     * {@code use_static_table} is set, else {@code ceil(gpucacheper x rows)} rows (at least one).
     *
     * @param tableRows rows of the embedding table
     * @param dimension the table's {@code embedding_vecsize_per_table}
     * @param useStaticTable the model's {@code use_static_table}
     * @param cacheFraction the model's {@code gpucacheper}, in {@code (0, 1]}
     */
    public static DeviceCacheConfig forTable(long tableRows, int dimension, boolean useStaticTable,
            double cacheFraction) {
        if (useStaticTable) {
            return new DeviceCacheConfig(CacheMode.STATIC, tableRows, dimension);
        }
        if (!(cacheFraction > 0.0 && cacheFraction <= 1.0)) {
            throw new IllegalArgumentException("cache fraction out of (0, 1]: gpucacheper=" + cacheFraction);
        }
        long rows = Math.max(1L, (long) Math.ceil(cacheFraction * tableRows));
        return new DeviceCacheConfig(CacheMode.DYNAMIC, Math.min(rows, Math.max(1L, tableRows)), dimension);
    }

    /** Bytes of one vector. */
    public long vectorBytes() {
        return (long) dimension * Float.BYTES;
    }
}
