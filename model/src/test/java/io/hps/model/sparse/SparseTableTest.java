package io.hps.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.model.TableSpec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseTableTest {

    private static final int DIM = 5;

    @TempDir
    Path dir;

    @Test
    void shouldReadBackShuffledKeysAndVectorsAppendedInChunks() throws IOException {
        long[] keys = shuffledKeys(103, 7);
        float[] vectors = randomVectors(keys.length, 8);
        Path table = dir.resolve("t0");
        try (SparseTableWriter writer = SparseTableWriter.create(table, DIM, false)) {
            for (int first = 0; first < keys.length; first += 40) {
                int n = Math.min(40, keys.length - first);
                writer.append(slice(keys, first, n), slice(vectors, first * DIM, n * DIM));
            }
            assertThat(writer.rows()).isEqualTo(keys.length);
        }
        assertThat(Files.list(table).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("key", "emb_vector");
        try (SparseTable t = SparseTable.open(table, DIM)) {
            assertThat(t.rows()).isEqualTo(keys.length);
            assertThat(t.dimension()).isEqualTo(DIM);
            assertThat(t.hasSlotIds()).isFalse();
            assertThat(t.hasMeta()).isFalse();
            assertRows(t, keys, vectors);
            assertThat(t.duplicateKeys()).isZero();
        }
    }

    @Test
    void shouldExposeVectorsAsLittleEndianSlicesAndChunks() throws IOException {
        long[] keys = shuffledKeys(10, 1);
        float[] vectors = randomVectors(keys.length, 2);
        try (SparseTableWriter writer = SparseTableWriter.create(dir, DIM, false)) {
            writer.append(keys, vectors);
        }
        try (SparseTable t = SparseTable.open(dir, DIM)) {
            MemorySegment v = t.vector(3);
            assertThat(v.byteSize()).isEqualTo(DIM * 4L);
            assertThat(v.toArray(SparseTable.FLOAT32_LE)).containsExactly(slice(vectors, 3 * DIM, DIM));
            assertThat(t.keys().byteSize()).isEqualTo(80);
            assertThat(t.vectors().byteSize()).isEqualTo(10L * DIM * 4);
            List<SparseChunk> chunks = t.chunks(4);
            assertThat(chunks).extracting(SparseChunk::firstRow).containsExactly(0L, 4L, 8L);
            assertThat(chunks).extracting(SparseChunk::rows).containsExactly(4, 4, 2);
            assertThat(chunks.get(2).key(1)).isEqualTo(keys[9]);
            assertThat(chunks.get(2).vectors().toArray(SparseTable.FLOAT32_LE)).containsExactly(slice(vectors, 8 * DIM, 2 * DIM));
            assertThat(chunks.get(0).slotIds()).isEmpty();
        }
    }

    @Test
    void shouldReadSlotIdsAndMetaWhenPresent() throws IOException {
        long[] keys = shuffledKeys(20, 3);
        float[] vectors = randomVectors(keys.length, 4);
        long[] slots = LongStream.range(0, keys.length).map(i -> i % 3).toArray();
        try (SparseTableWriter writer = SparseTableWriter.create(dir, DIM, true)) {
            writer.append(keys, vectors, slots);
        }
        long[] meta = LongStream.range(0, keys.length).map(i -> -i * 1_000_000_007L).toArray();
        writeLongs(dir.resolve("meta"), meta);
        try (SparseTable t = SparseTable.open(dir, DIM)) {
            assertThat(t.hasSlotIds()).isTrue();
            assertThat(t.hasMeta()).isTrue();
            assertRows(t, keys, vectors);
            for (int i = 0; i < keys.length; i++) {
                assertThat(t.slotId(i)).isEqualTo(slots[i]);
                assertThat(t.meta(i)).isEqualTo(meta[i]);
            }
            assertThat(t.chunks(8).get(1).slotIds()).hasValueSatisfying(
                    s -> assertThat(s.toArray(SparseTable.INT64_LE)).containsExactly(slice(slots, 8, 8)));
        }
    }

    @Test
    void shouldAssembleDisjointRangesWrittenConcurrently() throws Exception {
        long[] keys = shuffledKeys(1000, 11);
        float[] vectors = randomVectors(keys.length, 12);
        try (SparseTableWriter writer = SparseTableWriter.create(dir, DIM, false);
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int first = 900; first >= 0; first -= 100) {
                int f = first;
                done.add(pool.submit(() -> {
                    writer.write(f, slice(keys, f, 100), slice(vectors, f * DIM, 100 * DIM), null);
                    return null;
                }));
            }
            for (Future<?> d : done) {
                d.get();
            }
            assertThat(writer.rows()).isEqualTo(1000);
        }
        try (SparseTable t = SparseTable.open(dir, DIM)) {
            assertRows(t, keys, vectors);
        }
    }

    @Test
    void shouldWriteFromLittleEndianSegments() throws IOException {
        MemorySegment keys = MemorySegment.ofArray(new byte[16]);
        keys.setAtIndex(SparseTable.INT64_LE, 0, 42);
        keys.setAtIndex(SparseTable.INT64_LE, 1, -7);
        MemorySegment vectors = MemorySegment.ofArray(new float[2 * DIM]);
        vectors.setAtIndex(SparseTable.FLOAT32_LE, 7, 2.5f);
        try (SparseTableWriter writer = SparseTableWriter.create(dir, DIM, false)) {
            writer.append(keys, vectors);
        }
        try (SparseTable t = SparseTable.open(dir, DIM)) {
            assertThat(t.key(0)).isEqualTo(42);
            assertThat(t.key(1)).isEqualTo(-7);
            assertThat(t.value(1, 2)).isEqualTo(2.5f);
        }
    }

    @Test
    void shouldCheckRowsAndDimensionAgainstTheTableSpec() throws IOException {
        try (SparseTableWriter writer = SparseTableWriter.create(dir, DIM, false)) {
            writer.append(new long[] {1, 2, 3}, new float[3 * DIM]);
        }
        try (SparseTable t = SparseTable.open(dir, new TableSpec("t7", 3, DIM))) {
            assertThat(t.rows()).isEqualTo(3);
        }
        assertThatThrownBy(() -> SparseTable.open(dir, new TableSpec("t7", 4, DIM)))
                .isInstanceOf(SparseFormatException.class)
                .hasMessageContaining("table=t7").hasMessageContaining("rows=3").hasMessageContaining("expected=4");
        assertThatThrownBy(() -> SparseTable.open(dir, new TableSpec("t7", 3, DIM + 1)))
                .isInstanceOf(SparseFormatException.class).hasMessageContaining("dim=" + (DIM + 1));
    }

    @Test
    void shouldCountKeysThatOccurMoreThanOnce() throws IOException {
        long[] keys = {5, 9, 5, 7, 5, 7, 1};
        try (SparseTableWriter writer = SparseTableWriter.create(dir, 1, false)) {
            writer.append(keys, new float[keys.length]);
        }
        try (SparseTable t = SparseTable.open(dir, 1)) {
            assertThat(t.duplicateKeys()).isEqualTo(2);
        }
    }

    @Test
    void shouldOpenAnEmptyTable() throws IOException {
        try (SparseTableWriter writer = SparseTableWriter.create(dir, DIM, false)) {
            assertThat(writer.rows()).isZero();
        }
        try (SparseTable t = SparseTable.open(dir, DIM)) {
            assertThat(t.rows()).isZero();
            assertThat(t.chunks(10)).isEmpty();
            assertThat(t.duplicateKeys()).isZero();
        }
    }

    @Test
    void shouldRejectMissingDirectoryAndFiles() throws IOException {
        assertThatThrownBy(() -> SparseTable.open(dir.resolve("nope"), DIM))
                .isInstanceOf(SparseFormatException.class).hasMessageContaining("dir=").hasMessageContaining("nope");
        Files.write(dir.resolve("emb_vector"), new byte[0]);
        assertThatThrownBy(() -> SparseTable.open(dir, DIM))
                .isInstanceOf(SparseFormatException.class).hasMessageContaining("file=" + dir.resolve("key"));
        Files.delete(dir.resolve("emb_vector"));
        Files.write(dir.resolve("key"), new byte[0]);
        assertThatThrownBy(() -> SparseTable.open(dir, DIM))
                .isInstanceOf(SparseFormatException.class).hasMessageContaining("file=" + dir.resolve("emb_vector"));
    }

    @Test
    void shouldRejectKeyFileNotMultipleOfEight() throws IOException {
        Files.write(dir.resolve("key"), new byte[13]);
        Files.write(dir.resolve("emb_vector"), new byte[0]);
        assertThatThrownBy(() -> SparseTable.open(dir, DIM))
                .isInstanceOf(SparseFormatException.class)
                .hasMessageContaining("file=" + dir.resolve("key")).hasMessageContaining("size=13");
    }

    @Test
    void shouldRejectVectorFileOfWrongSize() throws IOException {
        Files.write(dir.resolve("key"), new byte[16]);
        Files.write(dir.resolve("emb_vector"), new byte[2 * DIM * 4 + 4]);
        assertThatThrownBy(() -> SparseTable.open(dir, DIM))
                .isInstanceOf(SparseFormatException.class)
                .hasMessageContaining("file=" + dir.resolve("emb_vector"))
                .hasMessageContaining("rows=2").hasMessageContaining("dim=5").hasMessageContaining("expected=40");
        assertThatThrownBy(() -> SparseTable.open(dir, DIM + 1)).isInstanceOf(SparseFormatException.class);
    }

    @Test
    void shouldRejectSlotIdAndMetaFilesOfWrongSize() throws IOException {
        Files.write(dir.resolve("key"), new byte[16]);
        Files.write(dir.resolve("emb_vector"), new byte[2 * DIM * 4]);
        Files.write(dir.resolve("slot_id"), new byte[8]);
        assertThatThrownBy(() -> SparseTable.open(dir, DIM))
                .isInstanceOf(SparseFormatException.class).hasMessageContaining("file=" + dir.resolve("slot_id"));
        Files.write(dir.resolve("slot_id"), new byte[16]);
        Files.write(dir.resolve("meta"), new byte[24]);
        assertThatThrownBy(() -> SparseTable.open(dir, DIM))
                .isInstanceOf(SparseFormatException.class).hasMessageContaining("file=" + dir.resolve("meta"));
    }

    @Test
    void shouldRejectChunksOfInconsistentSize() throws IOException {
        try (SparseTableWriter writer = SparseTableWriter.create(dir, DIM, false)) {
            assertThatThrownBy(() -> writer.append(new long[2], new float[DIM]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys=2");
            assertThatThrownBy(() -> writer.append(new long[1], new float[DIM], new long[1]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("withSlotIds=false");
        }
    }

    @Test
    void shouldRemoveStaleOptionalFilesWhenRewriting() throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("slot_id"), new byte[800]);
        Files.write(dir.resolve("meta"), new byte[800]);
        try (SparseTableWriter writer = SparseTableWriter.create(dir, DIM, false)) {
            writer.append(new long[] {1}, new float[DIM]);
        }
        try (SparseTable t = SparseTable.open(dir, DIM)) {
            assertThat(t.rows()).isEqualTo(1);
            assertThat(t.hasSlotIds()).isFalse();
            assertThat(t.hasMeta()).isFalse();
        }
    }

    static void assertRows(SparseTable t, long[] keys, float[] vectors) {
        for (int r = 0; r < keys.length; r++) {
            assertThat(t.key(r)).isEqualTo(keys[r]);
            for (int c = 0; c < t.dimension(); c++) {
                assertThat(t.value(r, c)).isEqualTo(vectors[r * t.dimension() + c]);
            }
        }
    }

    static long[] shuffledKeys(int n, long seed) {
        List<Long> keys = new ArrayList<>();
        Random random = new Random(seed);
        for (int i = 0; i < n; i++) {
            keys.add(random.nextLong());
        }
        Collections.shuffle(keys, random);
        return keys.stream().mapToLong(Long::longValue).toArray();
    }

    static float[] randomVectors(int rows, long seed) {
        Random random = new Random(seed);
        float[] v = new float[rows * DIM];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    static void writeLongs(Path file, long[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        Files.write(file, b.array());
    }

    private static long[] slice(long[] a, int from, int n) {
        return Arrays.copyOfRange(a, from, from + n);
    }

    private static float[] slice(float[] a, int from, int n) {
        return Arrays.copyOfRange(a, from, from + n);
    }
}
