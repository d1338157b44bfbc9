package io.hps.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Who owns which buffer after composing, slicing and viewing, and that no bytes are copied. */
class BufferOwnershipTest {
    private static final RequestContext CONTEXT = new RequestContext("dlrm", 3, 0);
    private static final EmbeddingBlock BLOCK = EmbeddingBlock.tableMajor(VectorDtype.F32, new int[] {4}, new int[] {2});

    @Test
    void shouldComposeResponseAroundTheCallersVectorsWithoutCopying() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf vectors = floats(buffers, 1, 2, 3, 4, 5, 6, 7, 8);
            CompositeByteBuf frame = LookupResponseEncoder.composeReleasing(buffers.allocator(), 3, LookupStatus.OK,
                    BLOCK, null, vectors.retainedSlice());
            try {
                assertThat(vectors.refCnt()).isEqualTo(2);
                assertThat(frame.numComponents()).isEqualTo(2);
                assertThat(frame.readableBytes()).isEqualTo(LookupResponseEncoder.frameLength(BLOCK));
                vectors.setFloatLE(4, 42f);
                EmbeddingSection section = new LookupResponseDecoder().wrap(frame, 0, frame.readableBytes()).embeddings();
                assertThat(section.element(0, 0, 1)).isEqualTo(42f);
                assertThat(section.element(0, 1, 3)).isEqualTo(8f);
            } finally {
                frame.release();
            }
            assertThat(vectors.refCnt()).isEqualTo(1);
            vectors.release();
        }
    }

    @Test
    void shouldReleaseTheVectorsWhenComposingFails() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf wrongSize = floats(buffers, 1, 2, 3);
            assertThatThrownBy(() -> LookupResponseEncoder.composeReleasing(buffers.allocator(), 3, LookupStatus.OK,
                    BLOCK, null, wrongSize))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("vectorsBytes=12 vectorBytes=32");
            assertThat(wrongSize.refCnt()).isZero();
        }
    }

    @Test
    void shouldReleaseTheSectionWhenComposingAScoreRequestFails() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf response = buffers.heap(256);
            ByteBuf vectors = floats(buffers, 1, 2, 3, 4, 5, 6, 7, 8);
            ByteBuf dense = floats(buffers, 1);
            LookupResponseEncoder.encode(response, 3, LookupStatus.OK, BLOCK, null, vectors);
            LookupResponseDecoder decoder = new LookupResponseDecoder().wrap(response, 0, response.readableBytes());
            ByteBuf section = decoder.embeddings().sectionRetainedSlice();
            assertThatThrownBy(() -> ScoreRequestEncoder.composeReleasing(buffers.allocator(), CONTEXT, 3, 1, dense,
                    section))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("embedding section key count differs from batch: table=0 keyCount=2 batch=3");
            assertThat(response.refCnt()).isEqualTo(1);
            response.release();
            vectors.release();
            dense.release();
        }
    }

    @Test
    void shouldHandOutRetainedSlicesThatOutliveTheCallersReference() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf response = buffers.direct(256);
            ByteBuf vectors = floats(buffers, 1, 2, 3, 4, 5, 6, 7, 8);
            LookupResponseEncoder.encode(response, 3, LookupStatus.OK, BLOCK, null, vectors);
            vectors.release();
            ByteBuf slice = new LookupResponseDecoder().wrap(response, 0, response.readableBytes())
                    .embeddings().vectorsRetainedSlice();
            response.release();
            assertThat(slice.refCnt()).isEqualTo(1);
            assertThat(slice.getFloatLE(28)).isEqualTo(8f);
            slice.release();
            assertThat(response.refCnt()).isZero();
        }
    }

    @Test
    void shouldViewKeysAsNioBufferAndMemorySegmentWithoutCopying() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf keys = buffers.heap(24).writeLongLE(7).writeLongLE(-8).writeLongLE(9);
            ByteBuf frame = buffers.direct(256);
            try {
                LookupRequestEncoder.encode(frame, CONTEXT, VectorDtype.F16, false, new int[] {1, 2}, keys);
                LookupRequestDecoder decoder = new LookupRequestDecoder().wrap(frame, 0, frame.readableBytes());
                ByteBuffer view = decoder.keysNioBuffer();
                MemorySegment segment = decoder.keysSegment();
                assertThat(view.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
                assertThat(view.remaining()).isEqualTo(24);
                assertThat(segment.isNative()).isTrue();
                assertThat(segment.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8)).isEqualTo(-8);
                frame.setLongLE(decoder.keysIndex() + 16, 99);
                assertThat(view.getLong(view.position() + 16)).isEqualTo(99);
                assertThat(decoder.key(1, 1)).isEqualTo(99);
            } finally {
                frame.release();
                keys.release();
            }
        }
    }

    @Test
    void shouldRefuseAKeyViewAcrossCompositeComponents() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf keys = buffers.heap(16).writeLongLE(1).writeLongLE(2);
            ByteBuf whole = buffers.heap(256);
            LookupRequestEncoder.encode(whole, CONTEXT, VectorDtype.F32, false, new int[] {2}, keys);
            keys.release();
            int split = whole.readableBytes() - 8;
            CompositeByteBuf frame = buffers.allocator().compositeBuffer(2)
                    .addComponents(true, whole.retainedSlice(0, split), whole.retainedSlice(split, 8));
            whole.release();
            try {
                LookupRequestDecoder decoder = new LookupRequestDecoder().wrap(frame, 0, frame.readableBytes());
                assertThat(decoder.key(0, 1)).isEqualTo(2);
                assertThat(decoder.keysSlice().getLongLE(8)).isEqualTo(2);
                assertThatThrownBy(decoder::keysNioBuffer)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("parts=2");
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void shouldTransposeSampleMajorKeysIntoTableMajorOrder() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            ByteBuf keys = buffers.heap(48);
            for (long key : new long[] {11, 12, 13, 21, 22, 23}) {
                keys.writeLongLE(key);
            }
            ByteBuf frame = buffers.heap(256);
            try {
                int written = LookupRequestEncoder.encodeSampleMajor(frame, CONTEXT, VectorDtype.F32, true, 2, 3, keys);
                assertThat(written).isEqualTo(LookupRequestEncoder.frameLength(CONTEXT, new int[] {2, 2, 2}));
                LookupRequestDecoder decoder = new LookupRequestDecoder().wrap(frame, 0, written);
                assertThat(new long[] {decoder.key(0), decoder.key(1), decoder.key(2), decoder.key(3)})
                        .containsExactly(11, 21, 12, 22);
                assertThat(decoder.key(2, 1)).isEqualTo(23);
                assertThat(keys.readerIndex()).isZero();
            } finally {
                frame.release();
                keys.release();
            }
        }
    }

    @Test
    void shouldCutLongErrorMessagesAtACodePoint() {
        try (TrackedBuffers buffers = new TrackedBuffers()) {
            String message = "x" + "水".repeat(3000);
            ByteBuf frame = buffers.heap(64);
            try {
                int length = ErrorFrameEncoder.encode(frame, 1, ErrorCode.INTERNAL, message);
                assertThat(length).isEqualTo(ErrorFrameEncoder.frameLength(message));
                String decoded = new ErrorFrameDecoder().wrap(frame, 0, length).message();
                assertThat(message).startsWith(decoded);
                assertThat(decoded).hasSize(1 + (ErrorFrameEncoder.MAX_MESSAGE_BYTES - 1) / 3);
            } finally {
                frame.release();
            }
        }
    }

    private static ByteBuf floats(TrackedBuffers buffers, float... values) {
        ByteBuf buffer = buffers.heap(4 * values.length);
        for (float value : values) {
            buffer.writeFloatLE(value);
        }
        return buffer;
    }
}
