package io.hps.model.gen;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * The generator's embedding values, chunk by chunk: every table is cut into chunks of {@link #CHUNK_ROWS} rows, chunk
 * {@code c} of table {@code t} draws from {@link RandomStreams#embeddingChunk}{@code (seed, t, c)}, and each element
 * is uniform in {@code [-sqrt(1/rows), sqrt(1/rows))} (MLPerf DLRM initialisation), two elements per 64 random bits.
 * The generator writes these values to the sparse files; a reader that needs the rows of a seed without the files
 * (a benchmark filling device tables) computes them here, value for value.
 */
public final class EmbeddingChunks {

    /** Rows per chunk; part of the output's definition (changing it changes the values for a seed). */
    public static final int CHUNK_ROWS = 2048;

    private static final ValueLayout.OfFloat FLOAT32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private EmbeddingChunks() {
    }

    /**
     * Writes the {@code rows x dimension} values of chunk {@code chunk} of table {@code table} (a table of
     * {@code tableRows} rows) to the start of {@code out}, little-endian float32, row after row.
     */
    public static void fill(long seed, int table, long chunk, int rows, int dimension, long tableRows,
                            MemorySegment out) {
        SplittableRandom random = RandomStreams.embeddingChunk(seed, table, chunk);
        float bound = bound(tableRows);
        long n = (long) rows * dimension;
        for (long i = 0; i < n; i += 2) {
            long bits = random.nextLong();
            out.setAtIndex(FLOAT32_LE, i, uniform(bits >>> 40, bound));
            if (i + 1 < n) {
                out.setAtIndex(FLOAT32_LE, i + 1, uniform((bits >>> 16) & 0xFFFFFF, bound));
            }
        }
    }

    /** Half-width of the uniform initialisation of a table of {@code rows} rows: {@code sqrt(1/rows)}. */
    static float bound(long rows) {
        return (float) Math.sqrt(1.0 / rows);
    }

    /** Maps 24 random bits to {@code [-bound, bound)}; exact in float up to the final product. */
    private static float uniform(long bits24, float bound) {
        return (bits24 * 0x1.0p-23f - 1f) * bound;
    }
}
