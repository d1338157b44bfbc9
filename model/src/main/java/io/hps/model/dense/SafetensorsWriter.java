package io.hps.model.dense;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Collects tensors and writes them as one safetensors file (layout in {@link Safetensors}). Tensors
 * are laid out back to back in the order they were added; the header is padded with spaces to a
 * multiple of 8 bytes so the data section starts aligned. The writer keeps a reference to every
 * segment added until {@link #write} returns; the caller keeps ownership. Not thread-safe.
 */
public final class SafetensorsWriter {

    private record Entry(String name, Dtype dtype, long[] shape, MemorySegment data) {
    }

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Entry> entries = new ArrayList<>();

    /** Adds a {@code __metadata__} string pair. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds a tensor whose little-endian bytes are {@code data}; its size must equal shape x dtype size. */
    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, MemorySegment data) {
        if (name.equals(SafetensorsHeader.METADATA_KEY) || entries.stream().anyMatch(e -> e.name().equals(name))) {
            throw new IllegalArgumentException("tensor name reserved or already added: tensor=" + name);
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension: tensor=" + name + " shape=" + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (Math.multiplyExact(elements, dtype.bytes()) != data.byteSize()) {
            throw new IllegalArgumentException("data size must be shape x dtype size: tensor=" + name + " shape="
                    + Arrays.toString(shape) + " dtype=" + dtype + " bytes=" + data.byteSize());
        }
        entries.add(new Entry(name, dtype, shape.clone(), data));
        return this;
    }

    /** Adds an F32 tensor, copying {@code values} to little-endian bytes. */
    public SafetensorsWriter addF32(String name, long[] shape, float[] values) {
        MemorySegment bytes = MemorySegment.ofArray(new byte[Math.multiplyExact(values.length, Float.BYTES)]);
        MemorySegment.copy(values, 0, bytes, Safetensors.FLOAT32_LE, 0, values.length);
        return add(name, Dtype.F32, shape, bytes);
    }

    /** Writes the file, replacing any existing one. */
    public void write(Path file) throws IOException {
        byte[] header = header();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(channel, length);
            writeFully(channel, ByteBuffer.wrap(header));
            for (Entry e : entries) {
                writeFully(channel, buffer(e.data()));
            }
        }
    }

    private byte[] header() {
        ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode node = root.putObject(e.name());
            node.put("dtype", e.dtype().name());
            ArrayNode shape = node.putArray("shape");
            Arrays.stream(e.shape()).forEach(shape::add);
            node.putArray("data_offsets").add(offset).add(offset + e.data().byteSize());
            offset += e.data().byteSize();
        }
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        return paddedToEightBytes(SafetensorsHeader.JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] paddedToEightBytes(byte[] json) {
        int padded = (json.length + 7) & ~7;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static ByteBuffer buffer(MemorySegment segment) {
        boolean viewable = segment.heapBase().map(base -> base instanceof byte[]).orElse(true);
        return viewable ? segment.asByteBuffer() : ByteBuffer.wrap(segment.toArray(ValueLayout.JAVA_BYTE));
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }
}
