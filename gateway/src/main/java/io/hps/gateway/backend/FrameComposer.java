package io.hps.gateway.backend;

import io.hps.wire.FrameHeader;
import io.hps.wire.FrameType;
import io.hps.wire.RequestContext;
import io.hps.wire.VectorDtype;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds request frames around tensors that already sit in memory, without copying them: a small
 * head buffer (frame header, fields, model name, padding) followed by the callers' buffers as
 * further components of a {@link CompositeByteBuf}. The bytes equal those of
 * {@code ScoreRequestEncoder.encodeKeys} and {@code LookupRequestEncoder.encode} (layouts in
 * {@code ScoreRequestDecoder} and {@code LookupRequestDecoder}), which the tests check.
 *
 * <p>Ownership: tensor buffers stay the caller's; the frame holds its own retained duplicates, so
 * releasing the frame once releases the head and those references. Stateless and thread-safe.
 */
final class FrameComposer {
    private static final int SCORE_MODEL_NAME_OFFSET = 48;
    private static final int LOOKUP_MODEL_NAME_OFFSET = 40;
    private static final int INPUT_KEYS = 1;
    private static final ByteBuf ZEROS =
            Unpooled.unreleasableBuffer(Unpooled.directBuffer(64).writeZero(64)).asReadOnly();

    private FrameComposer() {
    }

    /**
     * A score request, keys variant, for the samples of several requests in order.
     *
     * @param dense per request float32 {@code [b_i, denseCount]}, readable bytes exactly that
     * @param keys  per request int64 {@code [b_i, tableCount]}, sample-major, readable bytes exactly that
     */
    static ByteBuf scoreRequest(ByteBufAllocator allocator, RequestContext context, int denseCount, int tableCount,
                                List<ByteBuf> dense, List<ByteBuf> keys) {
        byte[] name = context.model().getBytes(StandardCharsets.UTF_8);
        long batch = keys.stream().mapToLong(ByteBuf::readableBytes).sum() / (8L * tableCount);
        long denseOffset = align64(SCORE_MODEL_NAME_OFFSET + name.length);
        long denseBytes = 4L * batch * denseCount;
        long sparseOffset = align64(denseOffset + denseBytes);
        long length = sparseOffset + 8L * batch * tableCount;
        requireFrameLength(length);
        ByteBuf head = allocator.buffer((int) denseOffset);
        header(head, FrameType.SCORE_REQUEST, (int) length);
        head.writeLongLE(context.requestId());
        head.writeLongLE(context.deadlineMicros());
        head.writeIntLE((int) batch);
        head.writeIntLE(denseCount);
        head.writeIntLE(tableCount);
        head.writeByte(INPUT_KEYS);
        head.writeByte(name.length);
        head.writeShortLE(0);
        head.writeBytes(name);
        head.writeZero((int) denseOffset - head.writerIndex());
        CompositeByteBuf frame = allocator.compositeBuffer(3 + dense.size() + keys.size()).addComponent(true, head);
        dense.forEach(d -> frame.addComponent(true, d.retainedDuplicate()));
        addPadding(frame, (int) (sparseOffset - denseOffset - denseBytes));
        keys.forEach(k -> frame.addComponent(true, k.retainedDuplicate()));
        return frame;
    }

    /**
     * A lookup request for float32 vectors in table-major layout.
     *
     * @param keyCounts keys per table
     * @param keys      int64 keys, table-major, readable bytes exactly 8 x the sum of keyCounts
     */
    static ByteBuf lookupRequest(ByteBufAllocator allocator, RequestContext context, int[] keyCounts, ByteBuf keys) {
        byte[] name = context.model().getBytes(StandardCharsets.UTF_8);
        long countsOffset = align4(LOOKUP_MODEL_NAME_OFFSET + name.length);
        long keysOffset = align64(countsOffset + 4L * keyCounts.length);
        long length = keysOffset + keys.readableBytes();
        requireFrameLength(length);
        ByteBuf head = allocator.buffer((int) keysOffset);
        header(head, FrameType.LOOKUP_REQUEST, (int) length);
        head.writeLongLE(context.requestId());
        head.writeLongLE(context.deadlineMicros());
        head.writeIntLE(keyCounts.length);
        head.writeByte(VectorDtype.F32.code());
        head.writeByte(name.length);
        head.writeShortLE(0);
        head.writeBytes(name);
        head.writeZero((int) countsOffset - head.writerIndex());
        for (int count : keyCounts) {
            head.writeIntLE(count);
        }
        head.writeZero((int) keysOffset - head.writerIndex());
        return allocator.compositeBuffer(2).addComponent(true, head).addComponent(true, keys.retainedDuplicate());
    }

    private static void header(ByteBuf out, FrameType type, int length) {
        out.writeShortLE(FrameHeader.MAGIC);
        out.writeByte(type.code());
        out.writeByte(FrameHeader.VERSION);
        out.writeShortLE(0);
        out.writeShortLE(0);
        out.writeIntLE(length);
        out.writeIntLE(0);
    }

    private static void addPadding(CompositeByteBuf frame, int bytes) {
        if (bytes > 0) {
            frame.addComponent(true, ZEROS.retainedSlice(0, bytes));
        }
    }

    private static void requireFrameLength(long length) {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frame too long: length=" + length);
        }
    }

    private static long align64(long value) {
        return (value + FrameHeader.ALIGNMENT - 1) & -FrameHeader.ALIGNMENT;
    }

    private static long align4(long value) {
        return (value + 3) & -4L;
    }
}
