package io.hps.gpu.cache;

/**
 * The shape of a {@link DeviceHashTable}: {@code sets} sets of {@link DeviceHashTable#WAYS} slots and {@code rows}
 * vector rows of {@code dimension} floats.
 *
 * @param sets number of sets; {@code sets * WAYS} slots in all
 * @param rows vector rows in device memory: {@code sets * WAYS} when evicting (row = slot), else the static
 *     table's capacity (rows are handed out in insertion order)
 * @param dimension floats per vector
 * @param evicting {@code true}: a key lives only in its home set and a full set evicts its least recent slot;
 *     {@code false}: never evicts, full sets overflow into the next set, and a new key beyond {@code rows} is
 *     rejected
 */
public record HashTableShape(int sets, long rows, int dimension, boolean evicting) {
    /** Sets of a static table per row, inverted: at most half of its slots are ever taken. */
    static final int STATIC_ROWS_PER_SET = DeviceHashTable.WAYS / 2;
    private static final long MAX_SLOTS = Integer.MAX_VALUE;

    public HashTableShape {
        if (sets < 1 || (long) sets * DeviceHashTable.WAYS > MAX_SLOTS) {
            throw new IllegalArgumentException("set count out of range: sets=" + sets);
        }
        if (rows < 1 || rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("row count out of range: rows=" + rows);
        }
        if (dimension < 1) {
            throw new IllegalArgumentException("vector dimension must be positive: dimension=" + dimension);
        }
        if (evicting && rows != (long) sets * DeviceHashTable.WAYS) {
            throw new IllegalArgumentException("evicting table has one row per slot: sets=" + sets + " rows=" + rows);
        }
    }

    /** An evicting cache of at least {@code capacityRows} rows, rounded up to whole sets. */
    public static HashTableShape evicting(long capacityRows, int dimension) {
        return new HashTableShape(setCount(capacityRows, DeviceHashTable.WAYS), roundedRows(capacityRows), dimension,
                true);
    }

    /** A static table of exactly {@code capacityRows} rows with twice as many slots, so few sets overflow. */
    public static HashTableShape staticTable(long capacityRows, int dimension) {
        return new HashTableShape(setCount(capacityRows, STATIC_ROWS_PER_SET), capacityRows, dimension, false);
    }

    private static int setCount(long capacityRows, int rowsPerSet) {
        if (capacityRows < 1 || capacityRows > MAX_SLOTS / 2) {
            throw new IllegalArgumentException("table capacity out of range: capacityRows=" + capacityRows);
        }
        return Math.toIntExact(Math.ceilDiv(capacityRows, rowsPerSet));
    }

    private static long roundedRows(long capacityRows) {
        return (long) setCount(capacityRows, DeviceHashTable.WAYS) * DeviceHashTable.WAYS;
    }

    /** Slots in all sets. */
    public long slots() {
        return (long) sets * DeviceHashTable.WAYS;
    }

    /** Bytes of one vector. */
    public long rowBytes() {
        return (long) dimension * Float.BYTES;
    }
}
