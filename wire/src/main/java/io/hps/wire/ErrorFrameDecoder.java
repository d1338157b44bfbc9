package io.hps.wire;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over an error frame, little-endian. Written by {@link ErrorFrameEncoder}.
 *
 * <pre>
 *  0               4               8              12              16
 * +---------------+---------------+---------------+---------------+
 * | frame header: type ERROR, no flags                            |
 * +---------------+---------------+-------+-------+---------------+
 * | request id u64                | code  |msglen | message UTF-8 |  16
 * +---------------+---------------+-------+-------+---------------+
 * | ... message, msglen bytes (u16, at most 4096), to the end     |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * code: an {@link ErrorCode} (u16). Not thread-safe; reusable via {@link #wrap}.
 */
public final class ErrorFrameDecoder {
    static final int REQUEST_ID_OFFSET = FrameHeader.LENGTH;
    static final int CODE_OFFSET = 24;
    static final int MESSAGE_LENGTH_OFFSET = 26;
    static final int MESSAGE_OFFSET = 28;

    private ByteBuf buffer;
    private int offset;
    private ErrorCode code;
    private int messageLength;

    /**
     * Validates the frame at {@code [offset, offset + length)} and points this decoder at it.
     *
     * @throws MalformedFrameException when any part of the frame is invalid
     */
    public ErrorFrameDecoder wrap(ByteBuf buffer, int offset, int length) {
        FrameHeader.validate(buffer, offset, length, FrameType.ERROR, 0);
        Frames.requireFits(MESSAGE_OFFSET, length, "errorFields");
        int codeValue = buffer.getUnsignedShortLE(offset + CODE_OFFSET);
        code = ErrorCode.ofCode(codeValue);
        messageLength = buffer.getUnsignedShortLE(offset + MESSAGE_LENGTH_OFFSET);
        if (code == null || messageLength > ErrorFrameEncoder.MAX_MESSAGE_BYTES) {
            throw new MalformedFrameException("error frame fields invalid: code=" + codeValue + " messageLength="
                    + messageLength);
        }
        Frames.requireEnd(MESSAGE_OFFSET + messageLength, length, FrameType.ERROR);
        Frames.requireUtf8(buffer, offset + MESSAGE_OFFSET, messageLength, "message");
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** Id of the failed request, 0 when the sender could not read it. */
    public long requestId() {
        return buffer.getLongLE(offset + REQUEST_ID_OFFSET);
    }

    public ErrorCode code() {
        return code;
    }

    /** The message; allocates a String. */
    public String message() {
        return Frames.utf8(buffer, offset + MESSAGE_OFFSET, messageLength);
    }
}
