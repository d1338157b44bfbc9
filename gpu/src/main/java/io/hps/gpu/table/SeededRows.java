package io.hps.gpu.table;

import io.hps.model.TableSpec;
import io.hps.model.gen.EmbeddingChunks;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The embedding rows {@code io.hps.model.gen.SyntheticModelGenerator} writes for a seed, computed instead of read
 * ({@link EmbeddingChunks}, chunk by chunk, as the generator computes them). A benchmark fills device tables from it
 * without a 15.6 GiB detour over the disk; a test checks it against the generator's files.
 */
public final class SeededRows implements RowSource {

    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32_NATIVE = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final List<TableSpec> tables;
    private final long seed;

    public SeededRows(List<TableSpec> tables, long seed) {
        this.tables = List.copyOf(tables);
        this.seed = seed;
    }

    @Override
    public void read(int table, long firstRow, int count, MemorySegment out) {
        TableSpec spec = tables.get(table);
        if (firstRow < 0 || count < 0 || firstRow + count > spec.rows()) {
            throw new IllegalArgumentException("rows out of range: table=" + table + " firstRow=" + firstRow
                    + " count=" + count + " rows=" + spec.rows());
        }
        int dim = spec.dimension();
        long rowBytes = (long) dim * Float.BYTES;
        MemorySegment chunk = MemorySegment.ofArray(new float[EmbeddingChunks.CHUNK_ROWS * dim]);
        long row = firstRow;
        long end = firstRow + count;
        while (row < end) {
            long chunkIndex = row / EmbeddingChunks.CHUNK_ROWS;
            long chunkFirst = chunkIndex * EmbeddingChunks.CHUNK_ROWS;
            int chunkRows = (int) Math.min(EmbeddingChunks.CHUNK_ROWS, spec.rows() - chunkFirst);
            EmbeddingChunks.fill(seed, table, chunkIndex, chunkRows, dim, spec.rows(), chunk);
            long take = Math.min(end, chunkFirst + chunkRows) - row;
            MemorySegment.copy(chunk, F32_LE, (row - chunkFirst) * rowBytes, out, F32_NATIVE,
                    (row - firstRow) * rowBytes, take * dim);
            row += take;
        }
    }
}
