package io.hps.gpu.table;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.stream.IntStream;

/**
 * Keys of all tables of a model in one device hash table: table {@code t}'s key {@code k} is stored as
 * {@code t << 40 | k}, so equal keys of different tables never meet. A key outside {@code [0, 2^40 - 1)} is in no
 * table (no table has that many rows) and is stored as {@code 2^40 - 1}, which no table has either.
 *
 * <p>Staging writes a sample-major {@code [batch, tables]} key tensor in that form, so that a table query writes
 * its vectors in the {@code [batch, tables, dimension]} layout the dense forward reads.
 */
public final class TableKeys {

    public static final int TABLE_SHIFT = 40;
    /** The key every out-of-range key becomes: beyond the rows of any table. */
    public static final long UNKNOWN = (1L << TABLE_SHIFT) - 1;
    private static final int PARALLEL_SAMPLES = 8192;
    private static final int SLICE_SAMPLES = 4096;

    private TableKeys() {
    }

    public static long encode(int table, long key) {
        return (long) table << TABLE_SHIFT | (key >>> TABLE_SHIFT == 0 ? key : UNKNOWN);
    }

    public static int table(long encoded) {
        return (int) (encoded >>> TABLE_SHIFT);
    }

    public static long key(long encoded) {
        return encoded & UNKNOWN;
    }

    /**
     * Writes the encoded keys of {@code keys} ({@code batch x tables}, sample-major) to {@code out} (native order,
     * owned by the caller); large batches are written by several threads.
     */
    public static void stage(long[] keys, int batch, int tables, MemorySegment out) {
        if (batch < PARALLEL_SAMPLES) {
            stageSamples(keys, 0, batch, tables, out);
            return;
        }
        IntStream.range(0, Math.ceilDiv(batch, SLICE_SAMPLES)).parallel().forEach(s -> stageSamples(keys,
                s * SLICE_SAMPLES, Math.min(batch, (s + 1) * SLICE_SAMPLES), tables, out));
    }

    private static void stageSamples(long[] keys, int from, int to, int tables, MemorySegment out) {
        for (int sample = from; sample < to; sample++) {
            int base = sample * tables;
            for (int t = 0; t < tables; t++) {
                out.setAtIndex(ValueLayout.JAVA_LONG, base + t, encode(t, keys[base + t]));
            }
        }
    }
}
