package io.hps.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Each frame type encodes to its annotated golden file byte for byte, and decodes from it. */
class GoldenFrameTest {
    private static final RequestContext DLRM = new RequestContext("dlrm", 9, 0);

    private final TrackedBuffers buffers = new TrackedBuffers();
    private final List<ByteBuf> inputs = new ArrayList<>();

    @AfterEach
    void releaseAll() {
        inputs.forEach(ByteBuf::release);
        buffers.close();
    }

    @Test
    void shouldEncodeLookupRequestAsGolden() {
        RequestContext context = new RequestContext("dlrm", 0x0102030405060708L, 1_700_000_000_000_000L);
        ByteBuf keys = longs(10, -1, 1L << 40);
        assertGolden("lookup-request.hex", out ->
                LookupRequestEncoder.encode(out, context, VectorDtype.F16, true, new int[] {2, 1}, keys));

        LookupRequestDecoder decoder = decodeGolden("lookup-request.hex",
                (buffer, length) -> new LookupRequestDecoder().wrap(buffer, 0, length));
        assertThat(decoder.context()).isEqualTo(context);
        assertThat(decoder.dtype()).isEqualTo(VectorDtype.F16);
        assertThat(decoder.uniqueVectors()).isTrue();
        assertThat(decoder.keyCount(0)).isEqualTo(2);
        assertThat(decoder.key(0, 1)).isEqualTo(-1);
        assertThat(decoder.key(1, 0)).isEqualTo(1L << 40);
        assertThat(decoder.keysIndex() % FrameHeader.ALIGNMENT).isZero();
    }

    @Test
    void shouldEncodeDenseLookupResponseAsGolden() {
        EmbeddingBlock block = EmbeddingBlock.tableMajor(VectorDtype.F32, new int[] {2, 3}, new int[] {2, 1});
        ByteBuf vectors = floats(1, 2, 3, 4, 0.5f, -0.5f, 0.25f);
        assertGolden("lookup-response-dense.hex", out ->
                LookupResponseEncoder.encode(out, 7, LookupStatus.OK, block, null, vectors));

        LookupResponseDecoder decoder = decodeGolden("lookup-response-dense.hex",
                (buffer, length) -> new LookupResponseDecoder().wrap(buffer, 0, length));
        EmbeddingSection section = decoder.embeddings();
        assertThat(decoder.requestId()).isEqualTo(7);
        assertThat(section.element(0, 1, 1)).isEqualTo(4f);
        assertThat(section.element(1, 0, 2)).isEqualTo(0.25f);
    }

    @Test
    void shouldComposeDenseLookupResponseAsGolden() {
        EmbeddingBlock block = EmbeddingBlock.tableMajor(VectorDtype.F32, new int[] {2, 3}, new int[] {2, 1});
        ByteBuf vectors = floats(1, 2, 3, 4, 0.5f, -0.5f, 0.25f);
        ByteBuf frame = LookupResponseEncoder.composeReleasing(buffers.allocator(), 7, LookupStatus.OK, block, null,
                vectors.retainedSlice());
        try {
            assertThat(GoldenFiles.dump(ByteBufUtil.getBytes(frame)))
                    .isEqualTo(GoldenFiles.dump(GoldenFiles.read("lookup-response-dense.hex")));
        } finally {
            frame.release();
        }
        assertThat(vectors.refCnt()).isEqualTo(1);
    }

    @Test
    void shouldEncodeUniqueLookupResponseAsGolden() {
        EmbeddingBlock block = EmbeddingBlock.unique(VectorDtype.BF16, new int[] {2}, new int[] {3}, new int[] {2});
        ByteBuf inverse = ints(0, 1, 0);
        ByteBuf vectors = track(buffers.heap(8));
        for (float value : new float[] {1, -2, 0.5f, 3}) {
            vectors.writeShortLE(HalfPrecision.toBf16(value));
        }
        assertGolden("lookup-response-unique.hex", out ->
                LookupResponseEncoder.encode(out, 7, LookupStatus.DEFAULTS_USED, block, inverse, vectors));

        LookupResponseDecoder decoder = decodeGolden("lookup-response-unique.hex",
                (buffer, length) -> new LookupResponseDecoder().wrap(buffer, 0, length));
        EmbeddingSection section = decoder.embeddings();
        assertThat(decoder.status()).isEqualTo(LookupStatus.DEFAULTS_USED);
        assertThat(section.row(0, 2)).isZero();
        assertThat(section.element(0, section.row(0, 1), 1)).isEqualTo(3f);
    }

    @Test
    void shouldEncodeSharedMemoryLookupResponseAsGolden() {
        VectorHandle handle = new VectorHandle.SharedMemory("/hps-vec", 4096, 32);
        EmbeddingBlock block = EmbeddingBlock.tableMajor(VectorDtype.F32, new int[] {4}, new int[] {2}).withHandle(handle);
        assertGolden("lookup-response-shm.hex", out ->
                LookupResponseEncoder.encode(out, 7, LookupStatus.OK, block, null, null));

        LookupResponseDecoder decoder = decodeGolden("lookup-response-shm.hex",
                (buffer, length) -> new LookupResponseDecoder().wrap(buffer, 0, length));
        assertThat(decoder.embeddings().handle()).isEqualTo(handle);
        assertThat(decoder.embeddings().sharedMemoryName()).isEqualTo("/hps-vec");
    }

    @Test
    void shouldEncodeCudaIpcLookupResponseAsGolden() {
        byte[] ipc = new byte[64];
        for (int i = 0; i < ipc.length; i++) {
            ipc[i] = (byte) i;
        }
        VectorHandle handle = new VectorHandle.CudaIpc(ipc, 1, 256, 16);
        EmbeddingBlock block = EmbeddingBlock.sampleMajor(VectorDtype.F16, 2, 2, 2).withHandle(handle);
        assertGolden("lookup-response-cuda-ipc.hex", out ->
                LookupResponseEncoder.encode(out, 7, LookupStatus.OK, block, null, null));

        LookupResponseDecoder decoder = decodeGolden("lookup-response-cuda-ipc.hex",
                (buffer, length) -> new LookupResponseDecoder().wrap(buffer, 0, length));
        assertThat(decoder.embeddings().handle()).isEqualTo(handle);
        assertThat(decoder.embeddings().cudaDevice()).isEqualTo(1);
        assertThat(decoder.embeddings().vectorOffset(1, 1)).as("[b=1, t=1] of [2, 2, 2] F16").isEqualTo(12);
    }

    @Test
    void shouldEncodeKeysScoreRequestAsGolden() {
        ByteBuf dense = floats(0.5f, 1, 2, -1, 0, 4);
        ByteBuf keys = longs(1, 2, 3, 4);
        assertGolden("score-request-keys.hex", out ->
                ScoreRequestEncoder.encodeKeys(out, DLRM, 2, 3, 2, dense, keys));

        ScoreRequestDecoder decoder = decodeGolden("score-request-keys.hex",
                (buffer, length) -> new ScoreRequestDecoder().wrap(buffer, 0, length));
        assertThat(decoder.carriesKeys()).isTrue();
        assertThat(decoder.context()).isEqualTo(DLRM);
        assertThat(decoder.dense(1, 2)).isEqualTo(4f);
        assertThat(decoder.key(1, 0)).isEqualTo(3);
    }

    @Test
    void shouldEncodeEmbeddingsScoreRequestAsGolden() {
        RequestContext context = new RequestContext("dlrm", 9, 5);
        ByteBuf dense = floats(0.5f, 1.5f);
        ByteBuf vectors = track(buffers.heap(32));
        for (int i = 0; i < 8; i++) {
            vectors.writeFloatLE(i + 0.25f);
        }
        EmbeddingBlock block = EmbeddingBlock.sampleMajor(VectorDtype.F32, 2, 2, 2);
        assertGolden("score-request-embeddings.hex", out ->
                ScoreRequestEncoder.encode(out, context, 2, 1, dense, block, null, vectors));

        ScoreRequestDecoder decoder = decodeGolden("score-request-embeddings.hex",
                (buffer, length) -> new ScoreRequestDecoder().wrap(buffer, 0, length));
        assertThat(decoder.carriesKeys()).isFalse();
        assertThat(decoder.embeddings().element(1, 1, 0)).as("[b=1, t=1, 0]").isEqualTo(6.25f);
    }

    @Test
    void shouldEncodeScoreResponseAsGolden() {
        ByteBuf scores = floats(0.25f, 0.75f);
        assertGolden("score-response.hex", out -> ScoreResponseEncoder.encode(out, 9, scores));

        ScoreResponseDecoder decoder = decodeGolden("score-response.hex",
                (buffer, length) -> new ScoreResponseDecoder().wrap(buffer, 0, length));
        assertThat(decoder.batchSize()).isEqualTo(2);
        assertThat(decoder.score(1)).isEqualTo(0.75f);
    }

    @Test
    void shouldEncodeErrorAsGolden() {
        assertGolden("error.hex", out -> ErrorFrameEncoder.encode(out, 9, ErrorCode.UNKNOWN_MODEL,
                "unknown model: model=x"));

        ErrorFrameDecoder decoder = decodeGolden("error.hex",
                (buffer, length) -> new ErrorFrameDecoder().wrap(buffer, 0, length));
        assertThat(decoder.code()).isEqualTo(ErrorCode.UNKNOWN_MODEL);
        assertThat(decoder.message()).isEqualTo("unknown model: model=x");
    }

    @ParameterizedTest
    @CsvSource({
        "lookup-request.hex, LOOKUP_REQUEST",
        "lookup-response-dense.hex, LOOKUP_RESPONSE",
        "lookup-response-unique.hex, LOOKUP_RESPONSE",
        "lookup-response-shm.hex, LOOKUP_RESPONSE",
        "lookup-response-cuda-ipc.hex, LOOKUP_RESPONSE",
        "score-request-keys.hex, SCORE_REQUEST",
        "score-request-embeddings.hex, SCORE_REQUEST",
        "score-response.hex, SCORE_RESPONSE",
        "error.hex, ERROR"
    })
    void shouldPeekTheTypeOfEveryGoldenFrame(String name, FrameType type) {
        byte[] bytes = GoldenFiles.read(name);
        ByteBuf buffer = track(buffers.exact(bytes));
        assertThat(FrameHeader.peekType(buffer, 0, bytes.length)).isEqualTo(type);
    }

    private void assertGolden(String name, Consumer<ByteBuf> encoder) {
        ByteBuf out = buffers.heap(16);
        try {
            encoder.accept(out);
            assertThat(GoldenFiles.dump(ByteBufUtil.getBytes(out))).isEqualTo(GoldenFiles.dump(GoldenFiles.read(name)));
        } finally {
            out.release();
        }
    }

    private ByteBuf longs(long... values) {
        ByteBuf buffer = track(buffers.heap(8 * values.length));
        for (long value : values) {
            buffer.writeLongLE(value);
        }
        return buffer;
    }

    private ByteBuf floats(float... values) {
        ByteBuf buffer = track(buffers.heap(4 * values.length));
        for (float value : values) {
            buffer.writeFloatLE(value);
        }
        return buffer;
    }

    private ByteBuf ints(int... values) {
        ByteBuf buffer = track(buffers.heap(4 * values.length));
        for (int value : values) {
            buffer.writeIntLE(value);
        }
        return buffer;
    }

    private ByteBuf track(ByteBuf buffer) {
        inputs.add(buffer);
        return buffer;
    }

    private interface Wrap<T> {
        T wrap(ByteBuf buffer, int length);
    }

    /** Wraps the golden bytes in a direct buffer that the test's tracker releases at the end. */
    private <T> T decodeGolden(String name, Wrap<T> wrap) {
        byte[] bytes = GoldenFiles.read(name);
        ByteBuf buffer = track(buffers.copyOf(bytes, true));
        return wrap.wrap(buffer, bytes.length);
    }
}
