package io.hps.model.dense;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;

/**
 * A safetensors file, memory-mapped read-only.
 *
 * <p>Layout: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8 JSON
 * {@code {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"<key>": "<value>"}}}; then the data section, where each tensor occupies
 * {@code [begin, end)} (relative to the start of the data section) as little-endian row-major elements.
 *
 * <p>{@link #open} validates everything before returning: header length within the file and at most
 * {@link #MAX_HEADER_BYTES}, valid JSON without duplicate names, known dtypes, non-negative integer
 * shapes, {@code product(shape) x dtype size == end - begin}, offsets inside the data section and no
 * two tensors overlapping. Segments handed out are views of the mapping, valid until {@link #close()};
 * reads are thread-safe.
 */
public final class Safetensors implements AutoCloseable {

    /** Largest header accepted, as in the reference implementation: 100 MB. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    static final ValueLayout.OfLong INT64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final Arena arena;
    private final MemorySegment data;
    private final SafetensorsHeader header;

    private Safetensors(Path file, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.header = header;
    }

    /**
     * Maps and validates {@code file}.
     *
     * @throws SafetensorsFormatException when the file is missing, truncated or breaks the format
     */
    public static Safetensors open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new SafetensorsFormatException("safetensors file missing: file=" + file);
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment all = map(file, arena);
            long headerBytes = headerBytes(all, file);
            byte[] json = all.asSlice(Long.BYTES, headerBytes).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = all.asSlice(Long.BYTES + headerBytes);
            return new Safetensors(file, arena, data, SafetensorsHeader.parse(json, data.byteSize(), file));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static MemorySegment map(Path file, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        }
    }

    private static long headerBytes(MemorySegment all, Path file) throws SafetensorsFormatException {
        if (all.byteSize() < Long.BYTES) {
            throw new SafetensorsFormatException("safetensors file shorter than its 8-byte header length: file=" + file
                    + " size=" + all.byteSize());
        }
        long headerBytes = all.get(INT64_LE, 0);
        if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES || headerBytes > all.byteSize() - Long.BYTES) {
            throw new SafetensorsFormatException("safetensors header length out of range: file=" + file
                    + " headerLength=" + Long.toUnsignedString(headerBytes) + " fileSize=" + all.byteSize()
                    + " max=" + MAX_HEADER_BYTES);
        }
        return headerBytes;
    }

    /** The file this was opened from. */
    public Path file() {
        return file;
    }

    /** The {@code __metadata__} map, empty when absent. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** All tensors, in header order. */
    public Map<String, TensorInfo> tensors() {
        return header.tensors();
    }

    /** The entry for tensor {@code name}, if present. */
    public Optional<TensorInfo> tensor(String name) {
        return Optional.ofNullable(header.tensors().get(name));
    }

    /** Raw little-endian bytes of tensor {@code name}: a zero-copy view valid until {@link #close()}. */
    public MemorySegment data(String name) {
        TensorInfo info = required(name);
        return data.asSlice(info.begin(), info.byteSize());
    }

    /** Copies F32 tensor {@code name} into a new array, row-major. */
    public float[] floats(String name) {
        TensorInfo info = required(name);
        if (info.dtype() != Dtype.F32) {
            throw new IllegalArgumentException("tensor is not F32: file=" + file + " tensor=" + name
                    + " dtype=" + info.dtype());
        }
        return data(name).toArray(FLOAT32_LE);
    }

    private TensorInfo required(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new IllegalArgumentException("no such tensor: file=" + file + " tensor=" + name);
        }
        return info;
    }

    /** Unmaps the file; segments handed out before become invalid. */
    @Override
    public void close() {
        arena.close();
    }
}
