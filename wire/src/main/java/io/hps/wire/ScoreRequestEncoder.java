package io.hps.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Writes score request frames (layout in {@link ScoreRequestDecoder}). Stateless and
 * thread-safe. Input buffers are read from their reader index without moving it; only
 * {@link #composeReleasing} takes ownership of one.
 */
public final class ScoreRequestEncoder {
    private ScoreRequestEncoder() {
    }

    /** Exact bytes of a frame carrying keys. */
    public static int keysFrameLength(RequestContext context, int batch, int denseCount, int tableCount) {
        checkShape(batch, denseCount, tableCount);
        return Frames.frameLength(sparseOffset(context, batch, denseCount) + 8L * batch * tableCount,
                FrameType.SCORE_REQUEST);
    }

    /** Exact bytes of a frame carrying {@code block} as its embedding section. */
    public static int frameLength(RequestContext context, int batch, int denseCount, EmbeddingBlock block) {
        checkShape(batch, denseCount, block.tableCount());
        return Frames.frameLength(sparseOffset(context, batch, denseCount) + EmbeddingSectionWriter.length(block),
                FrameType.SCORE_REQUEST);
    }

    /**
     * Writes an "infer" frame, dense features plus keys, at the writer index of {@code out}
     * (owned by the caller) and advances it by the returned frame length.
     *
     * @param dense float32 little-endian {@code [batch, denseCount]}
     * @param keys  int64 little-endian {@code [batch, tableCount]}, sample-major
     */
    public static int encodeKeys(ByteBuf out, RequestContext context, int batch, int denseCount, int tableCount,
                                 ByteBuf dense, ByteBuf keys) {
        int length = keysFrameLength(context, batch, denseCount, tableCount);
        Frames.requireReadable(keys, 8L * batch * tableCount, "keys");
        Frames.requireReadable(dense, 4L * batch * denseCount, "dense");
        out.ensureWritable(length);
        int start = out.writerIndex();
        writeHead(out, length, context, batch, denseCount, tableCount, ScoreRequestDecoder.INPUT_KEYS, dense);
        out.writeBytes(keys, keys.readerIndex(), keys.readableBytes());
        return out.writerIndex() - start;
    }

    /**
     * Writes a frame with dense features and embeddings, copying the vectors when inline.
     * {@code block} must have {@code batch} keys in every table.
     *
     * @param inverse int32 inverse index for UNIQUE, else {@code null}
     * @param vectors inline vectors, or {@code null} when {@code block} has a handle
     */
    public static int encode(ByteBuf out, RequestContext context, int batch, int denseCount, ByteBuf dense,
                             EmbeddingBlock block, ByteBuf inverse, ByteBuf vectors) {
        int length = frameLength(context, batch, denseCount, block);
        requireBatchPerTable(block, batch);
        EmbeddingSectionWriter.checkInputs(block, inverse, vectors);
        Frames.requireReadable(dense, 4L * batch * denseCount, "dense");
        out.ensureWritable(length);
        int start = out.writerIndex();
        writeHead(out, length, context, batch, denseCount, block.tableCount(), ScoreRequestDecoder.INPUT_EMBEDDINGS,
                dense);
        EmbeddingSectionWriter.writeHead(out, start, block, inverse);
        if (vectors != null) {
            out.writeBytes(vectors, vectors.readerIndex(), vectors.readableBytes());
        }
        return out.writerIndex() - start;
    }

    /**
     * Builds a frame around an embedding section taken unchanged from a lookup response
     * ({@link EmbeddingSection#sectionRetainedSlice()}), without copying it: a head buffer from
     * {@code allocator} (header, fields, dense features copied, padding) followed by
     * {@code embeddingSection} as a second component. The section must have {@code batch} keys in
     * every table; the receiver validates it in full.
     *
     * <p>Ownership: this method takes over one reference of {@code embeddingSection}. The
     * returned buffer owns the head and that reference; releasing it releases both. If this
     * method throws, it has already released {@code embeddingSection}. {@code dense} stays the
     * caller's.
     */
    public static CompositeByteBuf composeReleasing(ByteBufAllocator allocator, RequestContext context, int batch,
                                                    int denseCount, ByteBuf dense, ByteBuf embeddingSection) {
        ByteBuf head = null;
        try {
            int tableCount = sectionTableCount(embeddingSection, batch);
            checkShape(batch, denseCount, tableCount);
            Frames.requireReadable(dense, 4L * batch * denseCount, "dense");
            long headLength = sparseOffset(context, batch, denseCount);
            int length = Frames.frameLength(headLength + embeddingSection.readableBytes(), FrameType.SCORE_REQUEST);
            head = allocator.buffer((int) headLength);
            writeHead(head, length, context, batch, denseCount, tableCount, ScoreRequestDecoder.INPUT_EMBEDDINGS, dense);
            CompositeByteBuf frame = allocator.compositeBuffer(2).addComponents(true, head, embeddingSection);
            head = null;
            embeddingSection = null;
            return frame;
        } finally {
            if (head != null) {
                head.release();
            }
            if (embeddingSection != null) {
                embeddingSection.release();
            }
        }
    }

    private static int sectionTableCount(ByteBuf section, int batch) {
        int base = section.readerIndex();
        if (section.readableBytes() < EmbeddingSection.DIMS_OFFSET) {
            throw new IllegalArgumentException("embedding section too short: bytes=" + section.readableBytes());
        }
        long tables = section.getUnsignedIntLE(base + EmbeddingSection.TABLE_COUNT_OFFSET);
        if (tables < 1 || tables > Frames.MAX_TABLES
                || section.readableBytes() < EmbeddingSection.DIMS_OFFSET + 8 * tables) {
            throw new IllegalArgumentException("embedding section table count invalid: tables=" + tables);
        }
        int countsIndex = base + EmbeddingSection.DIMS_OFFSET + 4 * (int) tables;
        for (int t = 0; t < tables; t++) {
            long count = section.getUnsignedIntLE(countsIndex + 4 * t);
            if (count != batch) {
                throw new IllegalArgumentException("embedding section key count differs from batch: table=" + t
                        + " keyCount=" + count + " batch=" + batch);
            }
        }
        return (int) tables;
    }

    private static void writeHead(ByteBuf out, int length, RequestContext context, int batch, int denseCount,
                                  int tableCount, int input, ByteBuf dense) {
        int start = out.writerIndex();
        FrameHeader.write(out, FrameType.SCORE_REQUEST, 0, length);
        out.writeLongLE(context.requestId());
        out.writeLongLE(context.deadlineMicros());
        out.writeIntLE(batch);
        out.writeIntLE(denseCount);
        out.writeIntLE(tableCount);
        out.writeByte(input);
        out.writeByte(Frames.nameBytes(context.model(), "model"));
        out.writeShortLE(0);
        out.writeCharSequence(context.model(), StandardCharsets.UTF_8);
        Frames.padTo64(out, start);
        out.writeBytes(dense, dense.readerIndex(), dense.readableBytes());
        Frames.padTo64(out, start);
    }

    static long sparseOffset(RequestContext context, int batch, int denseCount) {
        long denseOffset = Frames.align64(ScoreRequestDecoder.MODEL_NAME_OFFSET
                + Frames.nameBytes(context.model(), "model"));
        return Frames.align64(denseOffset + 4L * batch * denseCount);
    }

    private static void checkShape(int batch, int denseCount, int tableCount) {
        if (batch < 1 || denseCount < 0 || denseCount > Frames.MAX_DENSE || tableCount < 1
                || tableCount > Frames.MAX_TABLES) {
            throw new IllegalArgumentException("score request shape out of range: batch=" + batch + " denseCount="
                    + denseCount + " tableCount=" + tableCount);
        }
    }

    private static void requireBatchPerTable(EmbeddingBlock block, int batch) {
        for (int t = 0; t < block.tableCount(); t++) {
            if (block.keyCount(t) != batch) {
                throw new IllegalArgumentException("embedding key count differs from batch: table=" + t + " keyCount="
                        + block.keyCount(t) + " batch=" + batch);
            }
        }
    }
}
