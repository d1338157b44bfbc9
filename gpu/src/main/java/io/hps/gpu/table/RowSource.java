package io.hps.gpu.table;

import java.lang.foreign.MemorySegment;

/**
 * Where the embedding rows of a model come from when a device table is filled: the model's files
 * ({@link SparseFileRows}), or the generator's seeds ({@link SeededRows}). Row {@code r} of a table is stored under
 * {@link #key}{@code (table, r)}: the row index itself unless the source says otherwise.
 *
 * <p>Threads: implementations are thread-safe; {@link #read} and {@link #key} may run on several threads at once.
 */
@FunctionalInterface
public interface RowSource {

    /**
     * Writes rows {@code [firstRow, firstRow + count)} of table {@code table} (its index in the architecture) to
     * {@code out}: {@code count x dimension} float32 in native byte order, row after row. {@code out} is owned by
     * the caller and holds at least that many bytes.
     */
    void read(int table, long firstRow, int count, MemorySegment out);

    /** The key of row {@code row} of table {@code table}; by default the row index (keys {@code 0..rows-1}). */
    default long key(int table, long row) {
        return row;
    }
}
