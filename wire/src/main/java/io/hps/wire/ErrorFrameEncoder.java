package io.hps.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/** Writes error frames (layout in {@link ErrorFrameDecoder}). Stateless and thread-safe. */
public final class ErrorFrameEncoder {
    /** Most UTF-8 bytes of a message; longer messages are cut at a code point boundary. */
    public static final int MAX_MESSAGE_BYTES = 4096;

    private ErrorFrameEncoder() {
    }

    /** Exact bytes of the frame for {@code message}. */
    public static int frameLength(String message) {
        return ErrorFrameDecoder.MESSAGE_OFFSET + ByteBufUtil.utf8Bytes(fitted(message));
    }

    /**
     * Writes one frame at the writer index of {@code out} (owned by the caller) and advances it by
     * the returned frame length.
     *
     * @param requestId id of the failed request, 0 when it could not be read
     * @param message   what went wrong, for people; cut to {@link #MAX_MESSAGE_BYTES}
     */
    public static int encode(ByteBuf out, long requestId, ErrorCode code, String message) {
        String fitted = fitted(message);
        int messageBytes = ByteBufUtil.utf8Bytes(fitted);
        int length = ErrorFrameDecoder.MESSAGE_OFFSET + messageBytes;
        out.ensureWritable(length);
        FrameHeader.write(out, FrameType.ERROR, 0, length);
        out.writeLongLE(requestId);
        out.writeShortLE(code.code());
        out.writeShortLE(messageBytes);
        out.writeCharSequence(fitted, StandardCharsets.UTF_8);
        return length;
    }

    private static String fitted(String message) {
        String text = message == null ? "" : message;
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > MAX_MESSAGE_BYTES) {
                return text.substring(0, end);
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return text;
    }
}
