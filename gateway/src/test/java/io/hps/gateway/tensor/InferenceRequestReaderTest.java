package io.hps.gateway.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.StringJoiner;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Reading request bodies: JSON layouts agree with each other and with binary; broken bodies are clean 400s. */
class InferenceRequestReaderTest {
    private final InferenceRequestReader reader = new InferenceRequestReader(8);

    @Property(tries = 100)
    void nestedFlatAndBinaryDataShouldGiveTheSameBytes(@ForAll @Size(min = 1, max = 12) List<Long> values,
                                                       @ForAll @IntRange(min = 1, max = 3) int rows) {
        List<Long> data = values.subList(0, values.size() / rows * rows);
        if (data.isEmpty()) {
            return;
        }
        int columns = data.size() / rows;
        StringJoiner flat = new StringJoiner(",", "[", "]");
        StringJoiner nested = new StringJoiner(",", "[", "]");
        ByteBuf binary = Unpooled.buffer();
        for (int r = 0; r < rows; r++) {
            StringJoiner row = new StringJoiner(",", "[", "]");
            for (int c = 0; c < columns; c++) {
                long value = data.get(r * columns + c);
                flat.add(Long.toString(value));
                row.add(Long.toString(value));
                binary.writeLongLE(value);
            }
            nested.add(row.toString());
        }
        String shape = "[" + rows + ", " + columns + "]";
        byte[] fromFlat = readKeys(json("{\"name\": \"k\", \"datatype\": \"INT64\", \"shape\": " + shape
                + ", \"data\": " + flat + "}"), -1);
        byte[] fromNested = readKeys(json("{\"name\": \"k\", \"data\": " + nested + ", \"shape\": " + shape
                + ", \"datatype\": \"INT64\"}"), -1);
        ByteBuf header = json("{\"name\": \"k\", \"datatype\": \"INT64\", \"shape\": " + shape
                + ", \"parameters\": {\"binary_data_size\": " + binary.readableBytes() + "}}");
        int headerLength = header.readableBytes();
        byte[] fromBinary = readKeys(Unpooled.wrappedBuffer(header, binary), headerLength);
        assertThat(fromNested).isEqualTo(fromFlat);
        assertThat(fromBinary).isEqualTo(fromFlat);
    }

    @Property(tries = 100)
    void anyTruncatedBinaryBodyShouldBeRejectedWithoutLeaking(@ForAll @IntRange(min = 1, max = 16) int elements,
                                                              @ForAll @IntRange(min = 1, max = 200) int cut) {
        ByteBuf header = json("{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [" + elements
                + "], \"parameters\": {\"binary_data_size\": " + 4 * elements + "}}");
        int headerLength = header.readableBytes();
        ByteBuf body = Unpooled.buffer().writeBytes(header).writeZero(4 * elements);
        header.release();
        ByteBuf truncated = body.slice(0, Math.max(0, body.readableBytes() - cut));
        try {
            assertThatThrownBy(() -> reader.read(truncated, Math.min(headerLength, truncated.readableBytes())))
                    .isInstanceOf(RejectedRequestException.class)
                    .satisfies(e -> assertThat(((RejectedRequestException) e).status()).isEqualTo(400));
            assertThat(body.refCnt()).isEqualTo(1);
        } finally {
            body.release();
        }
    }

    private ByteBuf json(String input) {
        return Unpooled.copiedBuffer("{\"inputs\": [" + input + "]}", StandardCharsets.UTF_8);
    }

    private byte[] readKeys(ByteBuf body, int headerLength) {
        try (InferenceRequest request = reader.read(body, headerLength)) {
            return ByteBufUtil.getBytes(request.input("k").orElseThrow().data());
        } finally {
            body.release();
        }
    }
}
