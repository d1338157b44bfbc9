package io.hps.gpu.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.model.TableSpec;
import io.hps.model.gen.GeneratorSettings;
import io.hps.model.gen.ProgressListener;
import io.hps.model.gen.SyntheticModelGenerator;
import io.hps.model.sparse.SparseTable;
import io.hps.model.sparse.SparseTableWriter;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseFileRowsTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadTheRowsAndKeysOfTheGeneratedFiles() throws Exception {
        GeneratorSettings settings = new GeneratorSettings(dir, "dlrm", 0.0002, 16, 7, 2, 64);
        SyntheticModelGenerator.generate(settings, ProgressListener.NONE);
        List<TableSpec> tables = settings.architecture().tables();
        List<Path> dirs = tables.stream().map(t -> dir.resolve("sparse").resolve(t.name())).toList();
        try (SparseFileRows rows = SparseFileRows.open(dirs, tables); Arena arena = Arena.ofConfined()) {
            for (int t : new int[] {0, 2, 9, 25}) {
                TableSpec spec = tables.get(t);
                try (SparseTable file = SparseTable.open(dirs.get(t), spec)) {
                    long first = Math.max(0, spec.rows() - 7);
                    int count = (int) (spec.rows() - first);
                    MemorySegment out = arena.allocate((long) count * spec.vectorBytes());
                    rows.read(t, first, count, out);
                    for (int r = 0; r < count; r++) {
                        assertThat(rows.key(t, first + r)).isEqualTo(file.key(first + r));
                        for (int c = 0; c < spec.dimension(); c++) {
                            assertThat(out.getAtIndex(ValueLayout.JAVA_FLOAT, (long) r * spec.dimension() + c))
                                    .as("table %d row %d column %d", t, first + r, c)
                                    .isEqualTo(file.value(first + r, c));
                        }
                    }
                }
            }
        }
    }

    @Test
    void shouldStoreEachRowUnderItsFileKeyWhenKeysAreInAnyOrder() throws Exception {
        long[] keys = {41, 3, (1L << 40) - 2, 0, 17};
        float[] vectors = new float[keys.length * 4];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = i * 0.25f - 1f;
        }
        Path table = write("shuffled", keys, vectors);
        try (SparseFileRows rows = SparseFileRows.open(List.of(table), List.of(new TableSpec("t0", 5, 4)));
             Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(3 * 4 * Float.BYTES);
            rows.read(0, 1, 3, out);
            assertThat(out.toArray(ValueLayout.JAVA_FLOAT))
                    .containsExactly(java.util.Arrays.copyOfRange(vectors, 4, 16));
            for (int r = 0; r < keys.length; r++) {
                assertThat(rows.key(0, r)).isEqualTo(keys[r]);
            }
            assertThatThrownBy(() -> rows.read(0, 3, 3, out)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("firstRow=3");
        }
    }

    @Test
    void shouldRefuseKeysTheDeviceTableCannotHold() throws Exception {
        Path negative = write("negative", new long[] {0, -5}, new float[8]);
        assertThatThrownBy(() -> SparseFileRows.open(List.of(negative), List.of(new TableSpec("t0", 2, 4))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row=1", "key=-5");
        Path wide = write("wide", new long[] {(1L << 40) - 1}, new float[4]);
        assertThatThrownBy(() -> SparseFileRows.open(List.of(wide), List.of(new TableSpec("t0", 1, 4))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key=" + ((1L << 40) - 1));
    }

    @Test
    void shouldRefuseFilesThatDisagreeWithTheModel() throws Exception {
        Path table = write("short", new long[] {0, 1}, new float[8]);
        assertThatThrownBy(() -> SparseFileRows.open(List.of(table), List.of(new TableSpec("t0", 3, 4))))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("rows=2", "expected=3");
        assertThatThrownBy(() -> SparseFileRows.open(List.of(table, table), List.of(new TableSpec("t0", 2, 4))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directories=2");
    }

    private Path write(String name, long[] keys, float[] vectors) throws Exception {
        Path table = dir.resolve(name);
        try (SparseTableWriter writer = SparseTableWriter.create(table, vectors.length / keys.length, false)) {
            writer.append(keys, vectors);
        }
        return table;
    }
}
