package io.hps.model.sparse;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A run of consecutive rows of a {@link SparseTable}, as zero-copy views of the mapped files.
 * The segments are valid until the table is closed.
 *
 * @param firstRow index of the first row of the chunk in the table
 * @param rows     number of rows in the chunk, at least 1
 * @param keys     {@code rows x 8} bytes, int64 little-endian
 * @param vectors  {@code rows x dimension x 4} bytes, float32 little-endian, row-major
 * @param slotIds  {@code rows x 8} bytes, int64 little-endian, when the table has a {@code slot_id} file
 */
public record SparseChunk(long firstRow, int rows, MemorySegment keys, MemorySegment vectors,
                          Optional<MemorySegment> slotIds) {

    /** Key of the {@code i}-th row of this chunk, {@code 0 <= i < rows}. */
    public long key(int i) {
        return keys.getAtIndex(SparseTable.INT64_LE, i);
    }
}
