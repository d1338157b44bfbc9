package io.hps.tier;

import io.hps.model.TableSpec;

import java.util.regex.Pattern;

/**
 * One embedding table as the tiers see it: the model it belongs to, its name and its vector
 * dimension. Its {@link #tag()} names it in every tier as HugeCTR does
 * ({@code hps_et.<model>.<table>}: the Redis hash tag, the RocksDB column family).
 *
 * @param model     model name, {@code [a-zA-Z0-9_-]{1,120}}
 * @param table     table name, {@code [a-zA-Z0-9_-]{1,120}}
 * @param dimension floats per vector, at least 1
 */
public record TierTable(String model, String table, int dimension) {
    /** HugeCTR's prefix of embedding table tags. */
    public static final String TAG_PREFIX = "hps_et";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_\\-]{1,120}");

    public TierTable {
        if (model == null || !NAME.matcher(model).matches()) {
            throw new IllegalArgumentException("invalid model name: model=" + model);
        }
        if (table == null || !NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("invalid table name: model=" + model + " table=" + table);
        }
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1: table=" + table + " dimension=" + dimension);
        }
    }

    /** The tier table of {@code spec} in {@code model}. */
    public static TierTable of(String model, TableSpec spec) {
        return new TierTable(model, spec.name(), spec.dimension());
    }

    /** HugeCTR's tag of this table: {@code hps_et.<model>.<table>}. */
    public String tag() {
        return TAG_PREFIX + '.' + model + '.' + table;
    }

    /** Bytes of one vector: {@code dimension * 4}. */
    public int vectorBytes() {
        return dimension * Float.BYTES;
    }
}
