package io.hps.model.dense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    @Test
    void shouldRoundTripTensorsOfEveryDtypeWithMetadata() throws IOException {
        Path file = dir.resolve("m.safetensors");
        float[] floats = {1.5f, -2f, 3.25f, 0f, Float.MIN_VALUE, Float.NaN};
        MemorySegment longs = MemorySegment.ofArray(new byte[16]);
        longs.setAtIndex(Safetensors.INT64_LE, 0, Long.MIN_VALUE);
        longs.setAtIndex(Safetensors.INT64_LE, 1, 12345);
        SafetensorsWriter writer = new SafetensorsWriter()
                .metadata("format", "pt")
                .addF32("w", new long[] {2, 3}, floats)
                .add("ids", Dtype.I64, new long[] {2}, longs)
                .add("empty", Dtype.F64, new long[] {0, 4}, MemorySegment.ofArray(new byte[0]))
                .add("scalar", Dtype.I32, new long[] {}, MemorySegment.ofArray(new byte[] {7, 0, 0, 0}))
                .add("half", Dtype.F16, new long[] {1}, MemorySegment.ofArray(new byte[] {0, 0x3c}))
                .add("brain", Dtype.BF16, new long[] {1}, MemorySegment.ofArray(new byte[] {(byte) 0x80, 0x3f}))
                .add("small", Dtype.I8, new long[] {2}, MemorySegment.ofArray(new byte[] {-1, 1}))
                .add("bytes", Dtype.U8, new long[] {1}, MemorySegment.ofArray(new byte[] {(byte) 200}))
                .add("flags", Dtype.BOOL, new long[] {2}, MemorySegment.ofArray(new byte[] {1, 0}));
        writer.write(file);

        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        try (Safetensors st = Safetensors.open(file)) {
            assertThat(st.metadata()).containsExactly(java.util.Map.entry("format", "pt"));
            assertThat(st.tensors().keySet())
                    .containsExactly("w", "ids", "empty", "scalar", "half", "brain", "small", "bytes", "flags");
            assertThat(st.tensor("w")).hasValueSatisfying(t -> {
                assertThat(t.dtype()).isEqualTo(Dtype.F32);
                assertThat(t.shape()).containsExactly(2L, 3L);
                assertThat(t.begin()).isZero();
                assertThat(t.end()).isEqualTo(24);
            });
            assertThat(st.floats("w")).containsExactly(floats);
            assertThat(st.data("ids").getAtIndex(Safetensors.INT64_LE, 0)).isEqualTo(Long.MIN_VALUE);
            assertThat(st.data("ids").getAtIndex(Safetensors.INT64_LE, 1)).isEqualTo(12345);
            assertThat(st.data("empty").byteSize()).isZero();
            assertThat(st.tensor("scalar").orElseThrow().shape()).isEmpty();
            assertThat(st.data("scalar").get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 7);
            assertThat(st.data("brain").toArray(ValueLayout.JAVA_BYTE)).containsExactly((byte) 0x80, (byte) 0x3f);
            assertThat(st.data("bytes").get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 200);
            assertThat(st.tensor("missing")).isEmpty();
            assertThatThrownBy(() -> st.floats("ids")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tensor=ids");
        }
    }

    @Test
    void shouldReadAFileWithoutMetadataAndWithTensorsOutOfOrder() throws IOException {
        Path file = write("{\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 4);
        try (Safetensors st = Safetensors.open(file)) {
            assertThat(st.metadata()).isEmpty();
            assertThat(st.tensors().keySet()).containsExactly("b", "a");
            assertThat(st.data("b").toArray(ValueLayout.JAVA_BYTE)).containsExactly((byte) 2, (byte) 3);
        }
    }

    @Test
    void shouldRejectMissingOrShortFiles() throws IOException {
        assertThatThrownBy(() -> Safetensors.open(dir.resolve("none")))
                .isInstanceOf(SafetensorsFormatException.class).hasMessageContaining("file=");
        Path file = dir.resolve("short");
        Files.write(file, new byte[5]);
        assertThatThrownBy(() -> Safetensors.open(file))
                .isInstanceOf(SafetensorsFormatException.class).hasMessageContaining("size=5");
    }

    @Test
    void shouldRejectHeaderLengthBeyondTheFile() throws IOException {
        Path file = dir.resolve("long");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 9);
        Files.write(file, b.array());
        assertThatThrownBy(() -> Safetensors.open(file))
                .isInstanceOf(SafetensorsFormatException.class).hasMessageContaining("headerLength=9");
        b.putLong(0, -1);
        Files.write(file, b.array());
        assertThatThrownBy(() -> Safetensors.open(file))
                .isInstanceOf(SafetensorsFormatException.class).hasMessageContaining("headerLength=18446744073709551615");
    }

    @Test
    void shouldRejectInvalidHeaders() throws IOException {
        String ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";
        assertRejected("{\"t\":{" + ok + "}", 8, "not valid JSON");
        assertRejected("[1,2]", 8, "not a JSON object");
        assertRejected("{\"t\":{\"dtype\":\"F31\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "dtype unknown");
        assertRejected("{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "expected=12");
        assertRejected("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 7, "dataBytes=7");
        assertRejected("{\"t\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "non-negative");
        assertRejected("{\"t\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8, "non-negative");
        assertRejected("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "begin=8");
        assertRejected("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8, "array of 2");
        assertRejected("{\"t\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8, "shape must be");
        assertRejected("{\"t\":{" + ok + ",\"extra\":1}}", 8, "exactly dtype, shape, data_offsets");
        assertRejected("{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "exactly dtype, shape, data_offsets");
        assertRejected("{\"t\":[]}", 8, "tensor=t");
        assertRejected("{\"t\":{" + ok + "},\"t\":{" + ok + "}}", 8, "not valid JSON");
        assertRejected("{\"t\":{" + ok + "},\"u\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[6,8]}}", 8, "overlap");
        assertRejected("{\"__metadata__\":{\"k\":1}}", 0, "key=k");
        assertRejected("{\"__metadata__\":[]}", 0, "__metadata__ is not an object");
        assertRejected("{\"t\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8, "overflows");
        assertRejected("{\"t\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8,
                "non-negative");
    }

    private void assertRejected(String header, int dataBytes, String message) throws IOException {
        Path file = write(header, dataBytes);
        assertThatThrownBy(() -> Safetensors.open(file))
                .as(header)
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("file=" + file)
                .hasMessageContaining(message);
    }

    private Path write(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        Path file = Files.createTempFile(dir, "st", ".safetensors");
        Files.write(file, b.array());
        return file;
    }
}
