package io.hps.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Cardinalities of the 26 categorical features of Criteo 1TB with frequency threshold 15, the
 * tables of the MLPerf DLRM: 32,709,138 rows in all, 15.6 GiB at dimension 128.
 */
public final class CriteoTables {

    private static final long[] FL15 = {
        7912889, 33823, 17139, 7339, 20046, 4, 7105, 1382, 63, 5554114, 582469, 245828, 11, 2209,
        10667, 104, 4, 968, 15, 8165896, 2675940, 7156453, 302516, 12022, 97, 35
    };

    private CriteoTables() {
    }

    /** The 26 FL=15 cardinalities, in feature order. */
    public static long[] fl15Cardinalities() {
        return FL15.clone();
    }

    /**
     * The FL=15 tables scaled by {@code scale}: each cardinality becomes
     * {@code max(1, round(cardinality x scale))}. Tables are named {@code t0 .. t25}.
     */
    public static List<TableSpec> fl15(double scale, int dimension) {
        if (!(scale > 0) || scale > 1.0) {
            throw new IllegalArgumentException("scale must be in (0, 1]: scale=" + scale);
        }
        List<TableSpec> tables = new ArrayList<>(FL15.length);
        for (int i = 0; i < FL15.length; i++) {
            tables.add(new TableSpec("t" + i, Math.max(1L, Math.round(FL15[i] * scale)), dimension));
        }
        return tables;
    }
}
