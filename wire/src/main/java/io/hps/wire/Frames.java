package io.hps.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Layout arithmetic and checks shared by the codecs; all offsets relative to a frame start. */
final class Frames {
    /** Most tables one frame may name. */
    static final int MAX_TABLES = 4096;
    /** Most elements in one vector. */
    static final int MAX_DIM = 65536;
    /** Most dense features per sample. */
    static final int MAX_DENSE = 65536;
    /** Most bytes in a model or shared-memory name. */
    static final int MAX_NAME_BYTES = 255;

    private Frames() {
    }

    static long align64(long relative) {
        return (relative + FrameHeader.ALIGNMENT - 1) & -FrameHeader.ALIGNMENT;
    }

    static long align4(long relative) {
        return (relative + 3) & -4L;
    }

    /** Throws unless {@code end} (relative to the frame start) lies within {@code length}. */
    static void requireFits(long end, int length, String section) {
        if (end > length) {
            throw new MalformedFrameException("section does not fit: section=" + section + " end=" + end
                    + " length=" + length);
        }
    }

    /** Throws unless the frame ends exactly at {@code end}. */
    static void requireEnd(long end, int length, FrameType type) {
        if (end != length) {
            throw new MalformedFrameException("frame length does not match its sections: type=" + type
                    + " sectionsEnd=" + end + " length=" + length);
        }
    }

    /** Reads a u32 and throws unless it lies in {@code [min, max]}. */
    static int u32InRange(ByteBuf buffer, int index, long min, long max, String field) {
        long value = buffer.getUnsignedIntLE(index);
        if (value < min || value > max) {
            throw new MalformedFrameException("field out of range: field=" + field + " value=" + value
                    + " min=" + min + " max=" + max);
        }
        return (int) value;
    }

    /** Writes zeros at the writer index up to the next 64-byte boundary from {@code frameStart}. */
    static void padTo64(ByteBuf out, int frameStart) {
        int written = out.writerIndex() - frameStart;
        out.writeZero((int) (align64(written) - written));
    }

    /** Writes zeros at the writer index up to the next 4-byte boundary from {@code frameStart}. */
    static void padTo4(ByteBuf out, int frameStart) {
        int written = out.writerIndex() - frameStart;
        out.writeZero((int) (align4(written) - written));
    }

    /** UTF-8 length of a name, checked to be 1..255 bytes. */
    static int nameBytes(String name, String field) {
        int bytes = ByteBufUtil.utf8Bytes(name);
        if (bytes < 1 || bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name must have 1.." + MAX_NAME_BYTES + " UTF-8 bytes: field="
                    + field + " bytes=" + bytes);
        }
        return bytes;
    }

    static String utf8(ByteBuf buffer, int index, int length) {
        return buffer.toString(index, length, StandardCharsets.UTF_8);
    }

    /** Throws unless {@code [index, index + length)} is well-formed UTF-8. */
    static void requireUtf8(ByteBuf buffer, int index, int length, String field) {
        int end = index + length;
        int i = index;
        while (i < end) {
            int next = nextCodePoint(buffer, i, end);
            if (next < 0) {
                throw new MalformedFrameException("invalid UTF-8: field=" + field + " at=" + (i - index));
            }
            i = next;
        }
    }

    /** Index after the code point starting at {@code i}, or -1 when it is malformed. */
    private static int nextCodePoint(ByteBuf buffer, int i, int end) {
        int b0 = buffer.getUnsignedByte(i);
        if (b0 < 0x80) {
            return i + 1;
        }
        int extra;
        int min;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            extra = 1;
            min = 0x80;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            extra = 2;
            min = 0x800;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            extra = 3;
            min = 0x10000;
        } else {
            return -1;
        }
        if (i + extra >= end) {
            return -1;
        }
        int cp = b0 & (0x3F >> extra);
        for (int k = 1; k <= extra; k++) {
            int b = buffer.getUnsignedByte(i + k);
            if ((b & 0xC0) != 0x80) {
                return -1;
            }
            cp = (cp << 6) | (b & 0x3F);
        }
        boolean surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        return cp < min || cp > 0x10FFFF || surrogate ? -1 : i + extra + 1;
    }

    /** Little-endian NIO view of {@code [index, index + length)}; throws when it is not one NIO buffer. */
    static ByteBuffer nioView(ByteBuf buffer, int index, int length) {
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer[] parts = buffer.nioBuffers(index, length);
        if (parts.length != 1) {
            throw new IllegalStateException("range spans several NIO buffers, no view without a copy: parts="
                    + parts.length + " index=" + index + " length=" + length);
        }
        return parts[0].order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Throws unless {@code buffer} has exactly {@code expected} readable bytes. */
    static void requireReadable(ByteBuf buffer, long expected, String what) {
        if (buffer == null || buffer.readableBytes() != expected) {
            throw new IllegalArgumentException("input size mismatch: input=" + what + " readableBytes="
                    + (buffer == null ? -1 : buffer.readableBytes()) + " expected=" + expected);
        }
    }

    /** Throws unless a frame of {@code length} bytes fits in an int-indexed buffer. */
    static int frameLength(long length, FrameType type) {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frame too large: type=" + type + " length=" + length);
        }
        return (int) length;
    }
}
