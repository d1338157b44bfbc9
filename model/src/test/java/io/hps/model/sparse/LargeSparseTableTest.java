package io.hps.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A table whose emb_vector exceeds 2 GiB is written by the writer and read through the mapping. */
@Tag("slow")
class LargeSparseTableTest {

    private static final int DIM = 128;
    private static final long ROWS = 4_300_000;
    private static final int CHUNK = 65_536;
    /** First row whose vector starts at or beyond byte 2^31 of emb_vector. */
    private static final long ROW_AT_2_GIB = (1L << 31) / (DIM * 4);

    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("large-sparse");
    }

    @AfterEach
    void deleteTable() throws IOException {
        Files.deleteIfExists(dir.resolve("key"));
        Files.deleteIfExists(dir.resolve("emb_vector"));
        Files.deleteIfExists(dir);
    }

    @Test
    void shouldReadRowsOnBothSidesOfTwoGibibytesAndTheLastRow() throws IOException {
        writeTable();
        assertThat(Files.size(dir.resolve("emb_vector"))).isGreaterThan(1L << 31);
        try (SparseTable t = SparseTable.open(dir, DIM)) {
            assertThat(t.rows()).isEqualTo(ROWS);
            for (long row : new long[] {0, ROW_AT_2_GIB - 1, ROW_AT_2_GIB, ROW_AT_2_GIB + 1, ROWS - 1}) {
                assertThat(t.key(row)).isEqualTo(keyOf(row));
                assertThat(t.value(row, 0)).isEqualTo((float) row);
                assertThat(t.value(row, DIM - 1)).isEqualTo(-(float) row);
                assertThat(t.vector(row).get(SparseTable.FLOAT32_LE, 4)).isEqualTo(1.0f);
            }
        }
    }

    private void writeTable() throws IOException {
        try (Arena arena = Arena.ofConfined(); SparseTableWriter writer = SparseTableWriter.create(dir, DIM, false)) {
            MemorySegment keys = arena.allocate((long) CHUNK * Long.BYTES);
            MemorySegment vectors = arena.allocate((long) CHUNK * DIM * Float.BYTES);
            for (long i = 0; i < (long) CHUNK * DIM; i++) {
                vectors.setAtIndex(SparseTable.FLOAT32_LE, i, 1.0f);
            }
            for (long first = 0; first < ROWS; first += CHUNK) {
                int n = (int) Math.min(CHUNK, ROWS - first);
                for (int i = 0; i < n; i++) {
                    long row = first + i;
                    keys.setAtIndex(SparseTable.INT64_LE, i, keyOf(row));
                    vectors.setAtIndex(SparseTable.FLOAT32_LE, (long) i * DIM, (float) row);
                    vectors.setAtIndex(SparseTable.FLOAT32_LE, (long) i * DIM + DIM - 1, -(float) row);
                }
                writer.append(keys.asSlice(0, (long) n * Long.BYTES), vectors.asSlice(0, (long) n * DIM * Float.BYTES));
            }
        }
    }

    private static long keyOf(long row) {
        return row * 0x9E3779B97F4A7C15L;
    }
}
