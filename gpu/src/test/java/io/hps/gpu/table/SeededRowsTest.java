package io.hps.gpu.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.model.TableSpec;
import io.hps.model.gen.EmbeddingChunks;
import io.hps.model.gen.GeneratorSettings;
import io.hps.model.gen.ProgressListener;
import io.hps.model.gen.SyntheticModelGenerator;
import io.hps.model.sparse.SparseTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeededRowsTest {

    @TempDir
    Path dir;

    @Test
    void shouldComputeTheRowsTheGeneratorWrites() throws Exception {
        GeneratorSettings settings = new GeneratorSettings(dir, "dlrm", 0.0002, 16, 7, 2, 64);
        SyntheticModelGenerator.generate(settings, ProgressListener.NONE);
        List<TableSpec> tables = settings.architecture().tables();
        SeededRows rows = new SeededRows(tables, 7);
        for (int t : new int[] {0, 2, 9, 25}) {
            TableSpec spec = tables.get(t);
            try (SparseTable file = SparseTable.open(dir.resolve("sparse").resolve(spec.name()), spec);
                 Arena arena = Arena.ofConfined()) {
                long first = Math.min(spec.rows() - 1, EmbeddingChunks.CHUNK_ROWS - 3);
                int count = (int) Math.min(spec.rows() - first, 5);
                MemorySegment out = arena.allocate((long) count * spec.vectorBytes());
                rows.read(t, first, count, out);
                for (int r = 0; r < count; r++) {
                    assertThat(file.key(first + r)).isEqualTo(first + r);
                    for (int c = 0; c < spec.dimension(); c++) {
                        assertThat(out.getAtIndex(ValueLayout.JAVA_FLOAT, (long) r * spec.dimension() + c))
                                .as("table %d row %d column %d", t, first + r, c)
                                .isEqualTo(file.value(first + r, c));
                    }
                }
            }
        }
    }

    @Test
    void shouldRejectRowsBeyondTheTable() {
        SeededRows rows = new SeededRows(List.of(new TableSpec("t0", 10, 4)), 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(64);
            assertThatThrownBy(() -> rows.read(0, 8, 3, out)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("firstRow=8");
        }
    }
}
