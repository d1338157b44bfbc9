package io.hps.wire;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over a lookup response frame, little-endian. Written by {@link LookupResponseEncoder}.
 *
 * <pre>
 *  0               4               8              12              16
 * +---------------+---------------+---------------+---------------+
 * | frame header: type LOOKUP_RESPONSE, no flags                  |
 * +---------------+---------------+-------+-----------------------+
 * | request id u64                |status | zeros up to offset 64 |  16
 * +---------------+---------------+-------+-----------------------+
 * | embedding section ({@link EmbeddingSection}) to the end   ... |  64
 * +---------------------------------------------------------------+
 * </pre>
 *
 * status: a {@link LookupStatus} code. Not thread-safe; reusable via {@link #wrap}.
 */
public final class LookupResponseDecoder {
    static final int REQUEST_ID_OFFSET = FrameHeader.LENGTH;
    static final int STATUS_OFFSET = 24;
    static final int EMBEDDINGS_OFFSET = 64;

    private final EmbeddingSection embeddings = new EmbeddingSection();
    private ByteBuf buffer;
    private int offset;
    private int length;
    private LookupStatus status;

    /**
     * Validates the frame at {@code [offset, offset + length)} of {@code buffer}, embedding section
     * and inverse index included, and points this decoder at it. Does not retain the buffer.
     *
     * @throws MalformedFrameException when any part of the frame is invalid
     */
    public LookupResponseDecoder wrap(ByteBuf buffer, int offset, int length) {
        FrameHeader.validate(buffer, offset, length, FrameType.LOOKUP_RESPONSE, 0);
        Frames.requireFits(EMBEDDINGS_OFFSET, length, "lookupResponseFields");
        int statusCode = buffer.getUnsignedByte(offset + STATUS_OFFSET);
        status = LookupStatus.ofCode(statusCode);
        if (status == null) {
            throw new MalformedFrameException("unknown lookup status: status=" + statusCode);
        }
        embeddings.wrap(buffer, offset + EMBEDDINGS_OFFSET, offset + length);
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    public long requestId() {
        return buffer.getLongLE(offset + REQUEST_ID_OFFSET);
    }

    public LookupStatus status() {
        return status;
    }

    /** The embedding section; the same object on every call, re-pointed by {@link #wrap}. */
    public EmbeddingSection embeddings() {
        return embeddings;
    }

    /** Bytes of the wrapped frame. */
    public int frameLength() {
        return length;
    }
}
