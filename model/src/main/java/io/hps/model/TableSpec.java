package io.hps.model;

/**
 * One embedding table of a DLRM: its name, its number of rows (the cardinality of the
 * categorical feature) and the dimension of each vector.
 *
 * @param name       table name, as in HugeCTR's {@code embedding_table_names}
 * @param rows       number of rows (distinct keys), at least 1
 * @param dimension  floats per vector, at least 1
 */
public record TableSpec(String name, long rows, int dimension) {
    public TableSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("table name must not be blank");
        }
        if (rows < 1) {
            throw new IllegalArgumentException("table rows must be >= 1: table=" + name + " rows=" + rows);
        }
        if (dimension < 1) {
            throw new IllegalArgumentException("table dimension must be >= 1: table=" + name + " dimension=" + dimension);
        }
    }

    /** Bytes one vector takes as float32. */
    public int vectorBytes() {
        return dimension * Float.BYTES;
    }
}
