package io.hps.wire;

import io.netty.buffer.ByteBuf;

/**
 * The 16-byte header that starts every frame, little-endian.
 *
 * <pre>
 *  0       2       3       4               6               8              12              16
 * +-------+-------+-------+---------------+---------------+---------------+---------------+
 * | magic | type  | vers- | flags (u16)   | reserved (0)  | frame length  | reserved (0)  |
 * | "HW"  | (u8)  | ion   | per type      |  u16          | u32, header   |  u32          |
 * |       |       | (u8)  |               |               | included      |               |
 * +-------+-------+-------+---------------+---------------+---------------+---------------+
 * </pre>
 *
 * The magic is the bytes {@code 'H' 'W'} (u16 {@code 0x5748}). A decoder accepts only
 * {@link #VERSION}, only the flag bits its frame type defines, zero reserved fields, and a frame
 * length equal to the length it was given.
 */
public final class FrameHeader {
    /** Bytes in the header; the body starts here. */
    public static final int LENGTH = 16;
    /** The magic as a little-endian u16: bytes {@code 0x48 0x57}. */
    public static final int MAGIC = 0x5748;
    /** The only version this code reads and writes. */
    public static final int VERSION = 1;
    /** Tensors start at a multiple of this many bytes from the frame start. */
    public static final int ALIGNMENT = 64;

    static final int MAGIC_OFFSET = 0;
    static final int TYPE_OFFSET = 2;
    static final int VERSION_OFFSET = 3;
    static final int FLAGS_OFFSET = 4;
    static final int RESERVED_OFFSET = 6;
    static final int FRAME_LENGTH_OFFSET = 8;
    static final int RESERVED_2_OFFSET = 12;

    private FrameHeader() {
    }

    /**
     * Validates the header of the frame at {@code [offset, offset + length)} and returns its type,
     * so that a transport can pick the decoder. Checks magic, version, type, reserved fields and
     * that the header's frame length equals {@code length}; the body is checked by the decoder.
     *
     * @throws MalformedFrameException when the header is invalid
     */
    public static FrameType peekType(ByteBuf buffer, int offset, int length) {
        checkCommon(buffer, offset, length);
        return FrameType.ofCode(buffer.getUnsignedByte(offset + TYPE_OFFSET));
    }

    /** Validates the header for {@code expected} and returns its flags. */
    static int validate(ByteBuf buffer, int offset, int length, FrameType expected, int knownFlags) {
        checkCommon(buffer, offset, length);
        int type = buffer.getUnsignedByte(offset + TYPE_OFFSET);
        if (type != expected.code()) {
            throw new MalformedFrameException("unexpected frame type: type=" + FrameType.ofCode(type)
                    + " expected=" + expected);
        }
        int flags = buffer.getUnsignedShortLE(offset + FLAGS_OFFSET);
        if ((flags & ~knownFlags) != 0) {
            throw new MalformedFrameException("unknown flags: type=" + expected + " flags=0x"
                    + Integer.toHexString(flags));
        }
        return flags;
    }

    private static void checkCommon(ByteBuf buffer, int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > buffer.capacity()) {
            throw new MalformedFrameException("frame outside buffer: offset=" + offset + " length=" + length
                    + " capacity=" + buffer.capacity());
        }
        if (length < LENGTH) {
            throw new MalformedFrameException("frame shorter than header: length=" + length + " header=" + LENGTH);
        }
        int magic = buffer.getUnsignedShortLE(offset + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new MalformedFrameException("bad magic: magic=0x" + Integer.toHexString(magic)
                    + " expected=0x" + Integer.toHexString(MAGIC));
        }
        int version = buffer.getUnsignedByte(offset + VERSION_OFFSET);
        if (version != VERSION) {
            throw new MalformedFrameException("unsupported version: version=" + version + " supported=" + VERSION);
        }
        int type = buffer.getUnsignedByte(offset + TYPE_OFFSET);
        if (FrameType.ofCode(type) == null) {
            throw new MalformedFrameException("unknown frame type: type=" + type);
        }
        if (buffer.getUnsignedShortLE(offset + RESERVED_OFFSET) != 0 || buffer.getIntLE(offset + RESERVED_2_OFFSET) != 0) {
            throw new MalformedFrameException("reserved header fields not zero: offset=" + offset);
        }
        long declared = buffer.getUnsignedIntLE(offset + FRAME_LENGTH_OFFSET);
        if (declared != length) {
            throw new MalformedFrameException("frame length mismatch: header=" + declared + " actual=" + length);
        }
    }

    /** Writes a header at the writer index and advances it by {@link #LENGTH}. */
    static void write(ByteBuf out, FrameType type, int flags, int frameLength) {
        out.writeShortLE(MAGIC);
        out.writeByte(type.code());
        out.writeByte(VERSION);
        out.writeShortLE(flags);
        out.writeShortLE(0);
        out.writeIntLE(frameLength);
        out.writeIntLE(0);
    }
}
