package io.hps.model.sparse;

import io.hps.model.TableSpec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One HugeCTR sparse embedding table, memory-mapped read-only.
 *
 * <p>Directory layout (HugeCTR's sparse model format), rows aligned across files, keys in any order:
 * <pre>
 * dir/key        rows x int64   little-endian
 * dir/emb_vector rows x dim x float32 little-endian, row-major
 * dir/slot_id    rows x int64   little-endian (optional)
 * dir/meta       rows x 8 bytes (optional, opaque)
 * </pre>
 *
 * <p>The files are mapped through the FFM API into a shared arena, so tables larger than 2 GiB are
 * read in place without copying into the heap. Every segment and {@link SparseChunk} handed out is
 * a view into the mapping and becomes invalid once {@link #close()} returns. Reads are thread-safe;
 * {@code close()} must not race with readers.
 */
public final class SparseTable implements AutoCloseable {

    /** File holding the keys. */
    public static final String KEY_FILE = "key";
    /** File holding the vectors. */
    public static final String VECTOR_FILE = "emb_vector";
    /** Optional file holding one slot id per key. */
    public static final String SLOT_ID_FILE = "slot_id";
    /** Optional file holding 8 opaque bytes per key. */
    public static final String META_FILE = "meta";

    static final ValueLayout.OfLong INT64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path directory;
    private final Arena arena;
    private final int dimension;
    private final long rows;
    private final MemorySegment keys;
    private final MemorySegment vectors;
    private final MemorySegment slotIds;
    private final MemorySegment meta;

    private SparseTable(Path directory, Arena arena, int dimension, MemorySegment keys, MemorySegment vectors,
                        MemorySegment slotIds, MemorySegment meta) {
        this.directory = directory;
        this.arena = arena;
        this.dimension = dimension;
        this.rows = keys.byteSize() / Long.BYTES;
        this.keys = keys;
        this.vectors = vectors;
        this.slotIds = slotIds;
        this.meta = meta;
    }

    /**
     * Maps the table in {@code directory} whose vectors have {@code dimension} floats.
     *
     * @throws SparseFormatException when the directory or a required file is missing, or file sizes disagree
     * @throws IOException           when mapping fails
     */
    public static SparseTable open(Path directory, int dimension) throws IOException {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1: dimension=" + dimension);
        }
        if (!Files.isDirectory(directory)) {
            throw new SparseFormatException("sparse table directory missing: dir=" + directory);
        }
        long rows = checkedRows(directory, dimension);
        Arena arena = Arena.ofShared();
        try {
            return new SparseTable(directory, arena, dimension,
                    map(directory.resolve(KEY_FILE), arena),
                    map(directory.resolve(VECTOR_FILE), arena),
                    mapOptional(directory.resolve(SLOT_ID_FILE), rows, arena),
                    mapOptional(directory.resolve(META_FILE), rows, arena));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Maps the table of {@code spec} from {@code directory}, checking that it has exactly
     * {@code spec.rows()} rows of {@code spec.dimension()} floats.
     *
     * @throws SparseFormatException as {@link #open(Path, int)}, or when the row count differs from the spec
     */
    public static SparseTable open(Path directory, TableSpec spec) throws IOException {
        SparseTable table = open(directory, spec.dimension());
        if (table.rows() != spec.rows()) {
            table.close();
            throw new SparseFormatException("sparse table row count differs from its spec: file="
                    + directory.resolve(KEY_FILE) + " table=" + spec.name() + " rows=" + table.rows()
                    + " expected=" + spec.rows());
        }
        return table;
    }

    private static long checkedRows(Path directory, int dimension) throws IOException {
        Path keyFile = requireFile(directory.resolve(KEY_FILE));
        Path vectorFile = requireFile(directory.resolve(VECTOR_FILE));
        long keyBytes = Files.size(keyFile);
        if (keyBytes % Long.BYTES != 0) {
            throw new SparseFormatException("key file size not a multiple of 8: file=" + keyFile + " size=" + keyBytes);
        }
        long rows = keyBytes / Long.BYTES;
        long vectorBytes = Files.size(vectorFile);
        long expected = expectedVectorBytes(rows, dimension, vectorFile);
        if (vectorBytes != expected) {
            throw new SparseFormatException("emb_vector size must be rows x dim x 4: file=" + vectorFile
                    + " size=" + vectorBytes + " rows=" + rows + " dim=" + dimension + " expected=" + expected);
        }
        return rows;
    }

    private static long expectedVectorBytes(long rows, int dimension, Path vectorFile) throws SparseFormatException {
        try {
            return Math.multiplyExact(rows, (long) dimension * Float.BYTES);
        } catch (ArithmeticException e) {
            throw new SparseFormatException("emb_vector size overflows: file=" + vectorFile + " rows=" + rows
                    + " dim=" + dimension, e);
        }
    }

    private static Path requireFile(Path file) throws SparseFormatException {
        if (!Files.isRegularFile(file)) {
            throw new SparseFormatException("sparse table file missing: file=" + file);
        }
        return file;
    }

    private static MemorySegment mapOptional(Path file, long rows, Arena arena) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        requireFile(file);
        long size = Files.size(file);
        if (size != rows * Long.BYTES) {
            throw new SparseFormatException("file size must be rows x 8: file=" + file + " size=" + size
                    + " rows=" + rows + " expected=" + rows * Long.BYTES);
        }
        return map(file, arena);
    }

    private static MemorySegment map(Path file, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        }
    }

    /** Directory the table was opened from. */
    public Path directory() {
        return directory;
    }

    /** Number of rows (keys). */
    public long rows() {
        return rows;
    }

    /** Floats per vector. */
    public int dimension() {
        return dimension;
    }

    /** Bytes per vector: {@code dimension x 4}. */
    public long vectorBytes() {
        return (long) dimension * Float.BYTES;
    }

    /** Key of row {@code row}. */
    public long key(long row) {
        return keys.getAtIndex(INT64_LE, Objects.checkIndex(row, rows));
    }

    /** The vector of row {@code row}: a zero-copy slice of {@code dimension x 4} bytes, float32 little-endian. */
    public MemorySegment vector(long row) {
        return vectors.asSlice(Objects.checkIndex(row, rows) * vectorBytes(), vectorBytes());
    }

    /** Element {@code column} of the vector of row {@code row}. */
    public float value(long row, int column) {
        Objects.checkIndex(column, dimension);
        return vectors.get(FLOAT32_LE, Objects.checkIndex(row, rows) * vectorBytes() + (long) column * Float.BYTES);
    }

    /** The whole {@code key} file: {@code rows x 8} bytes, int64 little-endian. */
    public MemorySegment keys() {
        return keys;
    }

    /** The whole {@code emb_vector} file: {@code rows x dimension x 4} bytes, float32 little-endian. */
    public MemorySegment vectors() {
        return vectors;
    }

    /** Whether the table has a {@code slot_id} file. */
    public boolean hasSlotIds() {
        return slotIds != null;
    }

    /** Slot id of row {@code row}; only when {@link #hasSlotIds()}. */
    public long slotId(long row) {
        if (slotIds == null) {
            throw new IllegalStateException("table has no slot_id file: dir=" + directory);
        }
        return slotIds.getAtIndex(INT64_LE, Objects.checkIndex(row, rows));
    }

    /** Whether the table has a {@code meta} file. */
    public boolean hasMeta() {
        return meta != null;
    }

    /** The 8 meta bytes of row {@code row}, read as int64 little-endian; only when {@link #hasMeta()}. */
    public long meta(long row) {
        if (meta == null) {
            throw new IllegalStateException("table has no meta file: dir=" + directory);
        }
        return meta.getAtIndex(INT64_LE, Objects.checkIndex(row, rows));
    }

    /**
     * Splits the table into consecutive chunks of {@code rowsPerChunk} rows (the last may be shorter),
     * for loaders that insert rows in batches or in parallel. The chunks are views; nothing is copied.
     */
    public List<SparseChunk> chunks(int rowsPerChunk) {
        if (rowsPerChunk < 1) {
            throw new IllegalArgumentException("rowsPerChunk must be >= 1: rowsPerChunk=" + rowsPerChunk);
        }
        List<SparseChunk> chunks = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8, rows / rowsPerChunk + 1));
        for (long first = 0; first < rows; first += rowsPerChunk) {
            chunks.add(chunk(first, (int) Math.min(rowsPerChunk, rows - first)));
        }
        return chunks;
    }

    private SparseChunk chunk(long first, int count) {
        Optional<MemorySegment> slots = Optional.ofNullable(slotIds)
                .map(s -> s.asSlice(first * Long.BYTES, (long) count * Long.BYTES));
        return new SparseChunk(first, count, keys.asSlice(first * Long.BYTES, (long) count * Long.BYTES),
                vectors.asSlice(first * vectorBytes(), count * vectorBytes()), slots);
    }

    /**
     * Number of distinct key values that occur in more than one row. HugeCTR tables should have none.
     *
     * <p>Cost: copies all keys into a heap {@code long[]} ({@code 8 x rows} bytes) and sorts it,
     * {@code O(rows log rows)}; about a second per ten million rows. Tables with more than
     * {@code Integer.MAX_VALUE - 8} rows are not supported here.
     */
    public long duplicateKeys() {
        if (rows > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOperationException("too many rows to count duplicates in memory: rows=" + rows);
        }
        long[] sorted = keys.toArray(INT64_LE);
        Arrays.sort(sorted);
        long duplicated = 0;
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1] && (i == 1 || sorted[i - 1] != sorted[i - 2])) {
                duplicated++;
            }
        }
        return duplicated;
    }

    /** Unmaps the files; segments and chunks handed out before become invalid. */
    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "SparseTable[dir=" + directory + ", rows=" + rows + ", dimension=" + dimension + "]";
    }
}
