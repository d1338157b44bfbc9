package io.hps.model.sparse;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a HugeCTR sparse table directory ({@code key}, {@code emb_vector}, optionally {@code slot_id};
 * layout in {@link SparseTable}) without holding the table in memory.
 *
 * <p>Two ways to write, which may be mixed as long as the row ranges are disjoint:
 * <ul>
 *   <li>{@link #append} streams chunks in row order; one thread at a time.</li>
 *   <li>{@link #write} puts a chunk at a given first row with positional writes; any number of threads
 *       may call it concurrently for disjoint row ranges. Rows never written read back as zero bytes.</li>
 * </ul>
 * Memory use is the caller's chunk plus, for heap arrays, one little-endian copy of it. Segments passed
 * in hold the bytes exactly as they go to disk (little-endian) and stay owned by the caller; they are
 * not retained after the call returns.
 */
public final class SparseTableWriter implements AutoCloseable {

    private final Path directory;
    private final int dimension;
    private final FileChannel keyChannel;
    private final FileChannel vectorChannel;
    private final FileChannel slotChannel;
    private final AtomicLong rows = new AtomicLong();

    private SparseTableWriter(Path directory, int dimension, FileChannel keyChannel, FileChannel vectorChannel,
                              FileChannel slotChannel) {
        this.directory = directory;
        this.dimension = dimension;
        this.keyChannel = keyChannel;
        this.vectorChannel = vectorChannel;
        this.slotChannel = slotChannel;
    }

    /**
     * Creates {@code directory} if needed and empties (or creates) its table files. A stale {@code slot_id}
     * or {@code meta} file that this writer will not write is deleted so the result stays consistent.
     *
     * @param withSlotIds whether every chunk carries slot ids, written to {@code slot_id}
     */
    public static SparseTableWriter create(Path directory, int dimension, boolean withSlotIds) throws IOException {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1: dimension=" + dimension);
        }
        Files.createDirectories(directory);
        Files.deleteIfExists(directory.resolve(SparseTable.META_FILE));
        if (!withSlotIds) {
            Files.deleteIfExists(directory.resolve(SparseTable.SLOT_ID_FILE));
        }
        FileChannel keys = openTruncated(directory.resolve(SparseTable.KEY_FILE));
        FileChannel vectors = null;
        try {
            vectors = openTruncated(directory.resolve(SparseTable.VECTOR_FILE));
            FileChannel slots = withSlotIds ? openTruncated(directory.resolve(SparseTable.SLOT_ID_FILE)) : null;
            return new SparseTableWriter(directory, dimension, keys, vectors, slots);
        } catch (IOException | RuntimeException e) {
            keys.close();
            if (vectors != null) {
                vectors.close();
            }
            throw e;
        }
    }

    private static FileChannel openTruncated(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    /** Directory being written. */
    public Path directory() {
        return directory;
    }

    /** Floats per vector. */
    public int dimension() {
        return dimension;
    }

    /** One past the highest row written so far. */
    public long rows() {
        return rows.get();
    }

    /** Appends {@code keys.length} rows after {@link #rows()}; {@code vectors} is row-major, {@code keys.length x dimension}. */
    public void append(long[] keys, float[] vectors) throws IOException {
        append(keys, vectors, null);
    }

    /** As {@link #append(long[], float[])} with one slot id per key ({@code null} when the writer has none). */
    public void append(long[] keys, float[] vectors, long[] slotIds) throws IOException {
        write(rows(), keys, vectors, slotIds);
    }

    /** Appends rows given as little-endian bytes: {@code keys} int64, {@code vectors} float32 row-major. */
    public void append(MemorySegment keys, MemorySegment vectors) throws IOException {
        write(rows(), keys, vectors, null);
    }

    /** Writes {@code keys.length} rows starting at row {@code firstRow}; thread-safe for disjoint ranges. */
    public void write(long firstRow, long[] keys, float[] vectors, long[] slotIds) throws IOException {
        ByteBuffer keyBytes = littleEndian(keys.length, Long.BYTES);
        keyBytes.asLongBuffer().put(keys);
        ByteBuffer vectorBytes = littleEndian(vectors.length, Float.BYTES);
        vectorBytes.asFloatBuffer().put(vectors);
        ByteBuffer slotBytes = null;
        if (slotIds != null) {
            slotBytes = littleEndian(slotIds.length, Long.BYTES);
            slotBytes.asLongBuffer().put(slotIds);
        }
        write(firstRow, keyBytes, vectorBytes, slotBytes);
    }

    /**
     * Writes rows starting at row {@code firstRow} from little-endian bytes; thread-safe for disjoint ranges.
     *
     * @param keys    {@code n x 8} bytes, int64 little-endian
     * @param vectors {@code n x dimension x 4} bytes, float32 little-endian, row-major
     * @param slotIds {@code n x 8} bytes, or {@code null} when the writer was created without slot ids
     */
    public void write(long firstRow, MemorySegment keys, MemorySegment vectors, MemorySegment slotIds)
            throws IOException {
        write(firstRow, byteBuffer(keys), byteBuffer(vectors), slotIds == null ? null : byteBuffer(slotIds));
    }

    private void write(long firstRow, ByteBuffer keys, ByteBuffer vectors, ByteBuffer slotIds) throws IOException {
        long count = checkChunk(firstRow, keys.remaining(), vectors.remaining(), slotIds);
        writeFully(keyChannel, keys, firstRow * Long.BYTES);
        writeFully(vectorChannel, vectors, firstRow * dimension * Float.BYTES);
        if (slotIds != null) {
            writeFully(slotChannel, slotIds, firstRow * Long.BYTES);
        }
        rows.accumulateAndGet(firstRow + count, Math::max);
    }

    private long checkChunk(long firstRow, long keyBytes, long vectorBytes, ByteBuffer slotIds) {
        if (firstRow < 0 || keyBytes % Long.BYTES != 0) {
            throw new IllegalArgumentException("bad chunk: firstRow=" + firstRow + " keyBytes=" + keyBytes);
        }
        long count = keyBytes / Long.BYTES;
        if (vectorBytes != count * dimension * Float.BYTES) {
            throw new IllegalArgumentException("vector bytes must be keys x dim x 4: keys=" + count + " dim="
                    + dimension + " vectorBytes=" + vectorBytes);
        }
        if ((slotIds != null) != (slotChannel != null)) {
            throw new IllegalArgumentException("slot ids must be given exactly when the writer has them: dir="
                    + directory + " withSlotIds=" + (slotChannel != null));
        }
        if (slotIds != null && slotIds.remaining() != keyBytes) {
            throw new IllegalArgumentException("slot id bytes must equal key bytes: keyBytes=" + keyBytes
                    + " slotIdBytes=" + slotIds.remaining());
        }
        return count;
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
        long at = position;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
    }

    private static ByteBuffer littleEndian(int elements, int elementBytes) {
        return ByteBuffer.allocate(Math.multiplyExact(elements, elementBytes)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer byteBuffer(MemorySegment segment) {
        boolean viewable = segment.heapBase().map(base -> base instanceof byte[]).orElse(true);
        if (viewable) {
            return segment.asByteBuffer();
        }
        return ByteBuffer.wrap(segment.toArray(ValueLayout.JAVA_BYTE));
    }

    /** Closes the files (without forcing them to the storage device). */
    @Override
    public void close() throws IOException {
        try (keyChannel; vectorChannel) {
            if (slotChannel != null) {
                slotChannel.close();
            }
        }
    }
}
