package io.hps.model.sparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/** Every truncated sparse table is rejected with {@link SparseFormatException}; corrupted bytes read back as written. */
class SparseTableCorruptionTest {

    private static final int DIM = 3;
    private static final int ROWS = 9;

    private Path dir;

    @BeforeTry
    void writeTable() throws IOException {
        dir = Files.createTempDirectory("sparse-corruption");
        try (SparseTableWriter writer = SparseTableWriter.create(dir, DIM, true)) {
            writer.append(SparseTableTest.shuffledKeys(ROWS, 5), new float[ROWS * DIM], new long[ROWS]);
        }
        SparseTableTest.writeLongs(dir.resolve("meta"), new long[ROWS]);
    }

    @AfterTry
    void deleteTable() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(SparseTableCorruptionTest::delete);
        }
    }

    @Property(tries = 200)
    void shouldRejectAnyTruncatedFile(@ForAll("files") String file, @ForAll @DoubleRange(max = 1.0, maxIncluded = false) double keep)
            throws IOException {
        Path path = dir.resolve(file);
        long size = (long) (Files.size(path) * keep);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
        assertThatThrownBy(() -> SparseTable.open(dir, DIM))
                .isInstanceOf(SparseFormatException.class)
                .hasMessageContaining("file=");
    }

    @Property(tries = 200)
    void shouldReadCorruptedBytesBackAsWritten(@ForAll("files") String file,
                                               @ForAll @DoubleRange(max = 1.0, maxIncluded = false) double at,
                                               @ForAll byte value) throws IOException {
        Path path = dir.resolve(file);
        byte[] bytes = Files.readAllBytes(path);
        int position = (int) (bytes.length * at);
        bytes[position] = value;
        Files.write(path, bytes);
        try (SparseTable t = SparseTable.open(dir, DIM)) {
            int row = position / 8;
            long read = switch (file) {
                case "key" -> t.key(row);
                case "slot_id" -> t.slotId(row);
                case "meta" -> t.meta(row);
                default -> Float.floatToRawIntBits(t.value(position / (DIM * 4), position % (DIM * 4) / 4));
            };
            int shift = file.equals("emb_vector") ? 8 * (position % 4) : 8 * (position % 8);
            assertThat((byte) (read >>> shift)).isEqualTo(value);
        }
    }

    @Provide
    Arbitrary<String> files() {
        return Arbitraries.of("key", "emb_vector", "slot_id", "meta");
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
