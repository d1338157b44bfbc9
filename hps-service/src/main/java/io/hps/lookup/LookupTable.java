package io.hps.lookup;

import io.hps.cache.DeviceCache;
import io.hps.tier.TierTable;

/**
 * One embedding table as a {@link LookupSession} serves it.
 *
 * @param table        name and dimension, as the tiers know it
 * @param maxKeys      most keys one lookup of this table may carry:
 *                     {@code max_batch_size x maxnum_catfeature_query_per_table_per_sample}
 * @param defaultValue every element of the vector served for a key found nowhere
 *                     ({@code default_value_for_each_table})
 * @param cache        the cache in front of the tiers, or {@code null} when {@code gpucache} is off
 */
public record LookupTable(TierTable table, int maxKeys, float defaultValue, DeviceCache cache) {
    public LookupTable {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be >= 1: table=" + table.table() + " maxKeys=" + maxKeys);
        }
        if (cache != null && cache.dimension() != table.dimension()) {
            throw new IllegalArgumentException("cache dimension differs from table: table=" + table.table()
                    + " cache=" + cache.dimension() + " table=" + table.dimension());
        }
    }

    public int dimension() {
        return table.dimension();
    }

    public long vectorBytes() {
        return table.vectorBytes();
    }
}
