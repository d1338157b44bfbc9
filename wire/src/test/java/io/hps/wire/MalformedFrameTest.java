package io.hps.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each broken invariant is rejected up front with a message naming the field. */
class MalformedFrameTest {

    @Test
    void shouldRejectBadMagic() {
        assertLookupRequestRejected(frame -> frame[0] = 0x00, "bad magic: magic=0x5700 expected=0x5748");
    }

    @Test
    void shouldRejectOtherVersions() {
        assertLookupRequestRejected(frame -> frame[3] = 2, "unsupported version: version=2 supported=1");
    }

    @Test
    void shouldRejectUnknownFlagsAndReservedBits() {
        assertLookupRequestRejected(frame -> frame[4] = 3, "unknown flags: type=LOOKUP_REQUEST flags=0x3");
        assertLookupRequestRejected(frame -> frame[13] = 1, "reserved header fields not zero");
    }

    @Test
    void shouldRejectLengthThatDisagreesWithHeader() {
        assertLookupRequestRejected(frame -> frame[8]++, "frame length mismatch: header=" + (lookupRequest().length + 1)
                + " actual=" + lookupRequest().length);
    }

    @Test
    void shouldRejectTableCountsOutOfRange() {
        assertLookupRequestRejected(frame -> setIntLE(frame, LookupRequestDecoder.TABLE_COUNT_OFFSET, 0),
                "field out of range: field=tableCount value=0 min=1 max=4096");
        assertLookupRequestRejected(frame -> setIntLE(frame, LookupRequestDecoder.TABLE_COUNT_OFFSET, 5000),
                "field=tableCount value=5000");
    }

    @Test
    void shouldRejectKeyCountsThatOverflow() {
        int countsOffset = 44;
        assertLookupRequestRejected(frame -> setIntLE(frame, countsOffset, -1),
                "too many keys: table=0 totalKeys=4294967295");
    }

    @Test
    void shouldRejectKeyCountsThatDoNotMatchTheLength() {
        int countsOffset = 44;
        assertLookupRequestRejected(frame -> setIntLE(frame, countsOffset, 3),
                "frame length does not match its sections: type=LOOKUP_REQUEST sectionsEnd="
                        + (lookupRequest().length + 8));
    }

    @Test
    void shouldRejectInvalidUtf8ModelName() {
        assertLookupRequestRejected(frame -> frame[LookupRequestDecoder.MODEL_NAME_OFFSET + 1] = (byte) 0xC0,
                "invalid UTF-8: field=modelName at=1");
    }

    @Test
    void shouldRejectFrameOutsideTheBuffer() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            byte[] bytes = lookupRequest();
            ByteBuf buffer = buffers.exact(bytes);
            try {
                assertThatThrownBy(() -> new LookupRequestDecoder().wrap(buffer, 8, bytes.length))
                        .isInstanceOf(MalformedFrameException.class)
                        .hasMessage("frame outside buffer: offset=8 length=" + bytes.length + " capacity=" + bytes.length);
            } finally {
                buffer.release();
            }
        }
    }

    @Test
    void shouldRejectWrongFrameType() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            byte[] bytes = lookupRequest();
            ByteBuf buffer = buffers.exact(bytes);
            try {
                assertThat(FrameHeader.peekType(buffer, 0, bytes.length)).isEqualTo(FrameType.LOOKUP_REQUEST);
                assertThatThrownBy(() -> new LookupResponseDecoder().wrap(buffer, 0, bytes.length))
                        .isInstanceOf(MalformedFrameException.class)
                        .hasMessage("unexpected frame type: type=LOOKUP_REQUEST expected=LOOKUP_RESPONSE");
            } finally {
                buffer.release();
            }
        }
    }

    @Test
    void shouldRejectInverseIndexOutsideUniqueVectors() {
        byte[] frame = GoldenFiles.read("lookup-response-unique.hex");
        setIntLE(frame, 0x84, 2);
        assertRejected(frame, FrameType.LOOKUP_RESPONSE,
                "inverse index out of range: table=0 key=1 row=2 uniqueCount=2");
    }

    @Test
    void shouldRejectUniqueCountAboveKeyCount() {
        byte[] frame = GoldenFiles.read("lookup-response-unique.hex");
        setIntLE(frame, 0x50, 4);
        assertRejected(frame, FrameType.LOOKUP_RESPONSE, "unique count out of range: table=0 uniqueCount=4 keyCount=3");
    }

    @Test
    void shouldRejectHandleLengthOtherThanVectorBytes() {
        byte[] frame = GoldenFiles.read("lookup-response-shm.hex");
        frame[0x88] = 33;
        assertRejected(frame, FrameType.LOOKUP_RESPONSE, "handle range invalid: offset=4096 length=33 vectorBytes=32");
    }

    @Test
    void shouldRejectSampleMajorTablesOfDifferentShapes() {
        byte[] frame = GoldenFiles.read("lookup-response-cuda-ipc.hex");
        setIntLE(frame, 0x4C, 3);
        assertRejected(frame, FrameType.LOOKUP_RESPONSE, "SAMPLE_MAJOR tables differ in shape: table=1 dim=3");
    }

    @Test
    void shouldRejectZeroDimension() {
        byte[] frame = GoldenFiles.read("lookup-response-dense.hex");
        setIntLE(frame, 0x48, 0);
        assertRejected(frame, FrameType.LOOKUP_RESPONSE, "table shape out of range: table=0 dim=0");
    }

    @Test
    void shouldRejectScoreRequestEmbeddingsWithOtherThanBatchKeys() {
        byte[] frame = GoldenFiles.read("score-request-embeddings.hex");
        setIntLE(frame, ScoreRequestDecoder.BATCH_OFFSET, 1);
        assertRejected(frame, FrameType.SCORE_REQUEST, "embedding key count differs from batch: table=0 keyCount=2 batch=1");
    }

    @Test
    void shouldRejectUnknownErrorCode() {
        byte[] frame = GoldenFiles.read("error.hex");
        frame[ErrorFrameDecoder.CODE_OFFSET] = 42;
        assertRejected(frame, FrameType.ERROR, "error frame fields invalid: code=42 messageLength=22");
    }

    @Test
    void shouldRejectEncoderInputsOfTheWrongSize() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf out = buffers.heap(256);
            ByteBuf keys = buffers.heap(16).writeLongLE(1);
            try {
                assertThatThrownBy(() -> LookupRequestEncoder.encode(out, new RequestContext("m", 1, 0), VectorDtype.F32,
                        false, new int[] {2}, keys))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("input size mismatch: input=keys readableBytes=8 expected=16");
                assertThat(out.writerIndex()).isZero();
            } finally {
                out.release();
                keys.release();
            }
        }
    }

    private static byte[] lookupRequest() {
        return GoldenFiles.read("lookup-request.hex");
    }

    private static void assertLookupRequestRejected(Consumer<byte[]> corruption, String message) {
        byte[] frame = lookupRequest();
        corruption.accept(frame);
        assertRejected(frame, FrameType.LOOKUP_REQUEST, message);
    }

    private static void assertRejected(byte[] frame, FrameType type, String message) {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf buffer = buffers.exact(frame);
            try {
                assertThatThrownBy(() -> FrameSamples.decode(type, buffer, 0, frame.length))
                        .isInstanceOf(MalformedFrameException.class)
                        .hasMessageContaining(message);
                assertThat(ByteBufUtil.getBytes(buffer)).isEqualTo(frame);
            } finally {
                buffer.release();
            }
        }
    }

    private static void setIntLE(byte[] bytes, int index, int value) {
        for (int i = 0; i < 4; i++) {
            bytes[index + i] = (byte) (value >>> (8 * i));
        }
    }
}
