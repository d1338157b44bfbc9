package io.hps.wire;

import java.util.Arrays;
import java.util.Objects;

/**
 * What an encoder needs to lay out an {@link EmbeddingSection}: dtype, layout, per-table
 * dimensions and counts, and where the vectors are. Arrays are copied in and out.
 *
 * @param dtype        element type of the vectors
 * @param layout       vector order; {@link EmbeddingLayout#SAMPLE_MAJOR} needs equal dims and counts
 * @param dims         elements per vector, per table; 1..65536 each; 1..4096 tables
 * @param keyCounts    keys per table, at least 0 each
 * @param uniqueCounts unique vectors per table for {@link EmbeddingLayout#UNIQUE}, else {@code null};
 *                     at most the table's key count and at least 1 where it has keys
 * @param handle       where the vectors are, or {@code null} when they travel inline; its length
 *                     must equal {@link #vectorBytes()}
 */
public record EmbeddingBlock(VectorDtype dtype, EmbeddingLayout layout, int[] dims, int[] keyCounts,
                             int[] uniqueCounts, VectorHandle handle) {
    public EmbeddingBlock {
        if (dtype == null || layout == null || dims == null || keyCounts == null) {
            throw new IllegalArgumentException("dtype, layout, dims and keyCounts must not be null");
        }
        dims = dims.clone();
        keyCounts = keyCounts.clone();
        uniqueCounts = uniqueCounts == null ? null : uniqueCounts.clone();
        checkTables(dims, keyCounts);
        checkLayout(layout, dims, keyCounts, uniqueCounts);
        long bytes = vectorBytes(dtype, dims, keyCounts, uniqueCounts);
        if (handle != null && handle.length() != bytes) {
            throw new IllegalArgumentException("handle length differs from vector bytes: handleLength="
                    + handle.length() + " vectorBytes=" + bytes);
        }
    }

    /** Table-major vectors, one per key, inline. */
    public static EmbeddingBlock tableMajor(VectorDtype dtype, int[] dims, int[] keyCounts) {
        return new EmbeddingBlock(dtype, EmbeddingLayout.TABLE_MAJOR, dims, keyCounts, null, null);
    }

    /** Sample-major {@code [batch, tableCount, dim]} vectors, inline. */
    public static EmbeddingBlock sampleMajor(VectorDtype dtype, int batch, int tableCount, int dim) {
        int[] dims = new int[tableCount];
        int[] counts = new int[tableCount];
        Arrays.fill(dims, dim);
        Arrays.fill(counts, batch);
        return new EmbeddingBlock(dtype, EmbeddingLayout.SAMPLE_MAJOR, dims, counts, null, null);
    }

    /** Unique vectors per table plus an inverse index, inline. */
    public static EmbeddingBlock unique(VectorDtype dtype, int[] dims, int[] keyCounts, int[] uniqueCounts) {
        return new EmbeddingBlock(dtype, EmbeddingLayout.UNIQUE, dims, keyCounts, uniqueCounts, null);
    }

    /** The same block with its vectors behind {@code vectorHandle} instead of inline. */
    public EmbeddingBlock withHandle(VectorHandle vectorHandle) {
        return new EmbeddingBlock(dtype, layout, dims, keyCounts, uniqueCounts, vectorHandle);
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    @Override
    public int[] keyCounts() {
        return keyCounts.clone();
    }

    @Override
    public int[] uniqueCounts() {
        return uniqueCounts == null ? null : uniqueCounts.clone();
    }

    /** {@link VectorStorage#INLINE} without a handle, else the handle's storage. */
    public VectorStorage storage() {
        return handle == null ? VectorStorage.INLINE : handle.storage();
    }

    public int tableCount() {
        return dims.length;
    }

    /** Sum of the key counts: entries of the inverse index for {@link EmbeddingLayout#UNIQUE}. */
    public int totalKeys() {
        long total = 0;
        for (int count : keyCounts) {
            total += count;
        }
        return (int) total;
    }

    /** Bytes of all vectors: sum over tables of rows x dim x dtype bytes. */
    public long vectorBytes() {
        return vectorBytes(dtype, dims, keyCounts, uniqueCounts);
    }

    int dim(int table) {
        return dims[table];
    }

    int keyCount(int table) {
        return keyCounts[table];
    }

    int uniqueCount(int table) {
        return uniqueCounts[table];
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EmbeddingBlock that && dtype == that.dtype && layout == that.layout
                && Arrays.equals(dims, that.dims) && Arrays.equals(keyCounts, that.keyCounts)
                && Arrays.equals(uniqueCounts, that.uniqueCounts) && Objects.equals(handle, that.handle);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, layout, Arrays.hashCode(dims), Arrays.hashCode(keyCounts),
                Arrays.hashCode(uniqueCounts), handle);
    }

    @Override
    public String toString() {
        return "EmbeddingBlock[dtype=" + dtype + ", layout=" + layout + ", dims=" + Arrays.toString(dims)
                + ", keyCounts=" + Arrays.toString(keyCounts) + ", uniqueCounts=" + Arrays.toString(uniqueCounts)
                + ", handle=" + handle + "]";
    }

    private static long vectorBytes(VectorDtype dtype, int[] dims, int[] keyCounts, int[] uniqueCounts) {
        long elements = 0;
        for (int t = 0; t < dims.length; t++) {
            int rows = uniqueCounts == null ? keyCounts[t] : uniqueCounts[t];
            elements += (long) rows * dims[t];
        }
        return elements * dtype.bytes();
    }

    private static void checkTables(int[] dims, int[] keyCounts) {
        if (dims.length < 1 || dims.length > Frames.MAX_TABLES || dims.length != keyCounts.length) {
            throw new IllegalArgumentException("table count invalid: dims=" + dims.length + " keyCounts="
                    + keyCounts.length + " max=" + Frames.MAX_TABLES);
        }
        long total = 0;
        for (int t = 0; t < dims.length; t++) {
            if (dims[t] < 1 || dims[t] > Frames.MAX_DIM || keyCounts[t] < 0) {
                throw new IllegalArgumentException("table shape invalid: table=" + t + " dim=" + dims[t]
                        + " keyCount=" + keyCounts[t]);
            }
            total += keyCounts[t];
        }
        if (total > Integer.MAX_VALUE / Integer.BYTES) {
            throw new IllegalArgumentException("too many keys: totalKeys=" + total);
        }
    }

    private static void checkLayout(EmbeddingLayout layout, int[] dims, int[] keyCounts, int[] uniqueCounts) {
        if ((layout == EmbeddingLayout.UNIQUE) != (uniqueCounts != null)) {
            throw new IllegalArgumentException("uniqueCounts must be given exactly for the UNIQUE layout: layout="
                    + layout);
        }
        if (uniqueCounts != null) {
            checkUniqueCounts(keyCounts, uniqueCounts);
        }
        if (layout == EmbeddingLayout.SAMPLE_MAJOR && !(allEqual(dims) && allEqual(keyCounts))) {
            throw new IllegalArgumentException("SAMPLE_MAJOR needs one dim and one key count for all tables: dims="
                    + Arrays.toString(dims) + " keyCounts=" + Arrays.toString(keyCounts));
        }
    }

    private static void checkUniqueCounts(int[] keyCounts, int[] uniqueCounts) {
        if (uniqueCounts.length != keyCounts.length) {
            throw new IllegalArgumentException("uniqueCounts length differs: uniqueCounts=" + uniqueCounts.length
                    + " tables=" + keyCounts.length);
        }
        for (int t = 0; t < keyCounts.length; t++) {
            int unique = uniqueCounts[t];
            if (unique < 0 || unique > keyCounts[t] || (keyCounts[t] > 0 && unique == 0)) {
                throw new IllegalArgumentException("unique count invalid: table=" + t + " unique=" + unique
                        + " keys=" + keyCounts[t]);
            }
        }
    }

    private static boolean allEqual(int[] values) {
        for (int value : values) {
            if (value != values[0]) {
                return false;
            }
        }
        return true;
    }
}
