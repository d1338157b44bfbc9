package io.hps.gpu.table;

import io.hps.model.TableSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The embedding rows {@code io.hps.model.gen.SyntheticModelGenerator} writes for a seed, computed instead of read:
 * the same random stream per chunk of {@value #CHUNK_ROWS} rows of a table, the same uniform initialisation in
 * {@code [-sqrt(1/rows), sqrt(1/rows))}. A benchmark fills device tables from it without a 15.6 GiB detour over the
 * disk; a test checks it against the generator's files.
 */
public final class SeededRows implements RowSource {

    /** Rows per random stream, as the generator draws them. */
    static final int CHUNK_ROWS = 2048;

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
        float[] chunk = new float[CHUNK_ROWS * dim];
        long row = firstRow;
        long end = firstRow + count;
        while (row < end) {
            long chunkIndex = row / CHUNK_ROWS;
            long chunkFirst = chunkIndex * CHUNK_ROWS;
            int chunkRows = (int) Math.min(CHUNK_ROWS, spec.rows() - chunkFirst);
            fill(table, chunkIndex, chunkRows, dim, bound(spec.rows()), chunk);
            long take = Math.min(end, chunkFirst + chunkRows) - row;
            MemorySegment.copy(chunk, (int) (row - chunkFirst) * dim, out, ValueLayout.JAVA_FLOAT,
                    (row - firstRow) * dim * Float.BYTES, (int) take * dim);
            row += take;
        }
    }

    private void fill(int table, long chunkIndex, int rows, int dim, float bound, float[] out) {
        SplittableRandom random = new SplittableRandom(derive(seed, table, chunkIndex));
        int n = rows * dim;
        for (int i = 0; i < n; i += 2) {
            long bits = random.nextLong();
            out[i] = uniform(bits >>> 40, bound);
            if (i + 1 < n) {
                out[i + 1] = uniform((bits >>> 16) & 0xFFFFFF, bound);
            }
        }
    }

    private static float bound(long rows) {
        return (float) Math.sqrt(1.0 / rows);
    }

    private static float uniform(long bits24, float bound) {
        return (bits24 * 0x1.0p-23f - 1f) * bound;
    }

    private static long derive(long seed, long a, long b) {
        return mix(mix(mix(seed) + a) + b);
    }

    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
