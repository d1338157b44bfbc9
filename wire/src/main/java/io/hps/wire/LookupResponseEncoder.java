package io.hps.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Writes lookup response frames (layout in {@link LookupResponseDecoder}). Stateless and
 * thread-safe. Input buffers are read from their reader index without moving it; only
 * {@link #composeReleasing} takes ownership of one.
 */
public final class LookupResponseEncoder {
    private LookupResponseEncoder() {
    }

    /** Exact bytes of the frame, so that the caller can allocate once. */
    public static int frameLength(EmbeddingBlock block) {
        return Frames.frameLength(LookupResponseDecoder.EMBEDDINGS_OFFSET + EmbeddingSectionWriter.length(block),
                FrameType.LOOKUP_RESPONSE);
    }

    /**
     * Writes one frame at the writer index of {@code out} (owned by the caller), copying the
     * vectors, and advances the writer index by the returned frame length.
     *
     * @param inverse int32 little-endian inverse index, table-major, for UNIQUE; else {@code null}
     * @param vectors the vectors in {@code block}'s dtype and layout when inline; {@code null} when
     *                {@code block} has a handle
     */
    public static int encode(ByteBuf out, long requestId, LookupStatus status, EmbeddingBlock block,
                             ByteBuf inverse, ByteBuf vectors) {
        EmbeddingSectionWriter.checkInputs(block, inverse, vectors);
        int length = frameLength(block);
        out.ensureWritable(length);
        int start = out.writerIndex();
        writeHead(out, length, requestId, status, block, inverse);
        if (vectors != null) {
            out.writeBytes(vectors, vectors.readerIndex(), vectors.readableBytes());
        }
        return out.writerIndex() - start;
    }

    /**
     * Builds a frame without copying the vectors: a small head buffer from {@code allocator}
     * (header, fields, section metadata, inverse index copied, padding) followed by
     * {@code vectors} as a second component.
     *
     * <p>Ownership: this method takes over one reference of {@code vectors} (pass a
     * {@code retainedSlice} to keep your own). The returned buffer owns the head and that
     * reference; releasing it releases both. If this method throws, it has already released
     * {@code vectors}. {@code inverse} stays the caller's.
     *
     * @param block an inline block
     */
    public static CompositeByteBuf composeReleasing(ByteBufAllocator allocator, long requestId, LookupStatus status,
                                                    EmbeddingBlock block, ByteBuf inverse, ByteBuf vectors) {
        ByteBuf head = null;
        try {
            if (block.handle() != null) {
                throw new IllegalArgumentException("compose needs inline vectors: storage=" + block.storage());
            }
            EmbeddingSectionWriter.checkInputs(block, inverse, vectors);
            int length = frameLength(block);
            head = allocator.buffer(length - (int) block.vectorBytes());
            writeHead(head, length, requestId, status, block, inverse);
            CompositeByteBuf frame = allocator.compositeBuffer(2).addComponents(true, head, vectors);
            head = null;
            vectors = null;
            return frame;
        } finally {
            if (head != null) {
                head.release();
            }
            if (vectors != null) {
                vectors.release();
            }
        }
    }

    private static void writeHead(ByteBuf out, int length, long requestId, LookupStatus status, EmbeddingBlock block,
                                  ByteBuf inverse) {
        int start = out.writerIndex();
        FrameHeader.write(out, FrameType.LOOKUP_RESPONSE, 0, length);
        out.writeLongLE(requestId);
        out.writeByte(status.code());
        Frames.padTo64(out, start);
        EmbeddingSectionWriter.writeHead(out, start, block, inverse);
    }
}
