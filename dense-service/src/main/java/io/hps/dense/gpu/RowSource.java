package io.hps.dense.gpu;

import java.lang.foreign.MemorySegment;

/**
 * Where the embedding rows of a model come from when a device table is filled: the model's files, or the
 * generator's seeds.
 *
 * <p>Threads: implementations are thread-safe; {@link #read} may run on several threads at once.
 */
@FunctionalInterface
public interface RowSource {

    /**
     * Writes rows {@code [firstRow, firstRow + count)} of table {@code table} (its index in the architecture) to
     * {@code out}: {@code count x dimension} float32 in native byte order, row after row. {@code out} is owned by
     * the caller and holds at least that many bytes.
     */
    void read(int table, long firstRow, int count, MemorySegment out);
}
