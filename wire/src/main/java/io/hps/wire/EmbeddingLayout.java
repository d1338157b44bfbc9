package io.hps.wire;

/** How the vectors of an {@link EmbeddingSection} are ordered. */
public enum EmbeddingLayout {
    /**
     * One vector per key, table-major: all {@code keyCount(0)} vectors of table 0 (each
     * {@code dim(0)} elements), then table 1, and so on, packed without padding between tables.
     */
    TABLE_MAJOR(1),
    /**
     * One vector per key, sample-major {@code [B, T, dim]}: every table has the same key count
     * {@code B} and the same dimension; the vector of sample {@code b}, table {@code t} starts at
     * element {@code (b * T + t) * dim}.
     */
    SAMPLE_MAJOR(2),
    /**
     * Deduplicated: per table {@code uniqueCount(t)} vectors, table-major as in
     * {@link #TABLE_MAJOR}, plus an int32 inverse index per key, table-major, whose value is the
     * row of that key's vector among its table's unique vectors.
     */
    UNIQUE(3);

    private final int code;

    EmbeddingLayout(int code) {
        this.code = code;
    }

    /** The value of the layout byte on the wire. */
    public int code() {
        return code;
    }

    static EmbeddingLayout ofCode(int code) {
        return switch (code) {
            case 1 -> TABLE_MAJOR;
            case 2 -> SAMPLE_MAJOR;
            case 3 -> UNIQUE;
            default -> null;
        };
    }
}
