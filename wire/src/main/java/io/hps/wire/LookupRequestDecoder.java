package io.hps.wire;

import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Flyweight over a lookup request frame, little-endian. Written by {@link LookupRequestEncoder}.
 *
 * <pre>
 *  0               4               8              12              16
 * +---------------+---------------+---------------+---------------+
 * | frame header: type LOOKUP_REQUEST, flag bit 0: unique vectors |
 * +---------------+---------------+---------------+---------------+
 * | request id u64                | deadline, micros since epoch  |  16
 * +---------------+---+---+-------+-------------------------------+
 * | table count T |dt-|na-| 0 u16 | model name UTF-8          ... |  32
 * |               |ype|len|       |                               |
 * +---------------+---+---+-------+-------------------------------+
 * | ... model name, then zeros to 4-byte alignment                |  40
 * | key count u32[T]                                          ... |
 * +---------------- 64-byte aligned ------------------------------+
 * | keys int64, table-major: table 0's keys, then table 1's   ... |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * dtype: the {@link VectorDtype} the response should carry. Tables 1..4096; name 1..255 bytes of
 * valid UTF-8; the frame ends exactly after the last key. Not thread-safe; reusable via
 * {@link #wrap}; allocates only when an array of per-table starts must grow.
 */
public final class LookupRequestDecoder {
    static final int UNIQUE_VECTORS_FLAG = 1;
    static final int REQUEST_ID_OFFSET = FrameHeader.LENGTH;
    static final int DEADLINE_OFFSET = 24;
    static final int TABLE_COUNT_OFFSET = 32;
    static final int DTYPE_OFFSET = 36;
    static final int MODEL_NAME_LENGTH_OFFSET = 37;
    static final int RESERVED_OFFSET = 38;
    static final int MODEL_NAME_OFFSET = 40;

    private ByteBuf buffer;
    private int offset;
    private int length;
    private int flags;
    private VectorDtype dtype;
    private int tableCount;
    private int keyCountsIndex;
    private int keysIndex;
    private int[] keyStarts = new int[1];

    /**
     * Validates the frame at {@code [offset, offset + length)} of {@code buffer} and points this
     * decoder at it. Does not retain the buffer.
     *
     * @throws MalformedFrameException when any part of the frame is invalid
     */
    public LookupRequestDecoder wrap(ByteBuf buffer, int offset, int length) {
        flags = FrameHeader.validate(buffer, offset, length, FrameType.LOOKUP_REQUEST, UNIQUE_VECTORS_FLAG);
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        Frames.requireFits(MODEL_NAME_OFFSET, length, "lookupRequestFields");
        tableCount = Frames.u32InRange(buffer, offset + TABLE_COUNT_OFFSET, 1, Frames.MAX_TABLES, "tableCount");
        int dtypeCode = buffer.getUnsignedByte(offset + DTYPE_OFFSET);
        dtype = VectorDtype.ofCode(dtypeCode);
        int nameLength = buffer.getUnsignedByte(offset + MODEL_NAME_LENGTH_OFFSET);
        long deadline = buffer.getLongLE(offset + DEADLINE_OFFSET);
        if (dtype == null || nameLength == 0 || deadline < 0 || buffer.getShortLE(offset + RESERVED_OFFSET) != 0) {
            throw new MalformedFrameException("lookup request fields invalid: dtype=" + dtypeCode + " modelNameLength="
                    + nameLength + " deadlineMicros=" + deadline + " reserved="
                    + buffer.getShortLE(offset + RESERVED_OFFSET));
        }
        Frames.requireFits(MODEL_NAME_OFFSET + nameLength, length, "modelName");
        Frames.requireUtf8(buffer, offset + MODEL_NAME_OFFSET, nameLength, "modelName");
        long countsOffset = Frames.align4(MODEL_NAME_OFFSET + nameLength);
        long keysOffset = Frames.align64(countsOffset + 4L * tableCount);
        Frames.requireFits(keysOffset, length, "keyCounts");
        keyCountsIndex = offset + (int) countsOffset;
        keysIndex = offset + (int) keysOffset;
        long total = readKeyCounts();
        Frames.requireEnd(keysOffset + 8 * total, length, FrameType.LOOKUP_REQUEST);
        return this;
    }

    private long readKeyCounts() {
        if (keyStarts.length < tableCount + 1) {
            keyStarts = new int[tableCount + 1];
        }
        long total = 0;
        for (int t = 0; t < tableCount; t++) {
            total += buffer.getUnsignedIntLE(keyCountsIndex + 4 * t);
            if (total > Integer.MAX_VALUE / Long.BYTES) {
                throw new MalformedFrameException("too many keys: table=" + t + " totalKeys=" + total);
            }
            keyStarts[t + 1] = (int) total;
        }
        return total;
    }

    public long requestId() {
        return buffer.getLongLE(offset + REQUEST_ID_OFFSET);
    }

    /** Deadline in microseconds since the Unix epoch; 0 means none. */
    public long deadlineMicros() {
        return buffer.getLongLE(offset + DEADLINE_OFFSET);
    }

    /** Dtype the response should carry. */
    public VectorDtype dtype() {
        return dtype;
    }

    /** Whether the response should carry unique vectors plus an inverse index. */
    public boolean uniqueVectors() {
        return (flags & UNIQUE_VECTORS_FLAG) != 0;
    }

    /** The model name; allocates a String. */
    public String modelName() {
        return Frames.utf8(buffer, offset + MODEL_NAME_OFFSET, buffer.getUnsignedByte(offset + MODEL_NAME_LENGTH_OFFSET));
    }

    /** The request as a {@link RequestContext}; allocates. */
    public RequestContext context() {
        return new RequestContext(modelName(), requestId(), deadlineMicros());
    }

    public int tableCount() {
        return tableCount;
    }

    public int keyCount(int table) {
        return keyStarts[table + 1] - keyStarts[table];
    }

    /** Position of {@code table}'s first key among all keys. */
    public int keyStart(int table) {
        return keyStarts[table];
    }

    public int totalKeys() {
        return keyStarts[tableCount];
    }

    /** Key at position {@code index} among all keys, table-major. */
    public long key(int index) {
        return buffer.getLongLE(keysIndex + 8 * index);
    }

    /** Key {@code key} of {@code table}. */
    public long key(int table, int key) {
        return key(keyStarts[table] + key);
    }

    /** Absolute index of the first key in the wrapped buffer. */
    public int keysIndex() {
        return keysIndex;
    }

    /** All keys as int64 little-endian; shares the buffer's memory and reference count. */
    public ByteBuf keysSlice() {
        return buffer.slice(keysIndex, 8 * totalKeys());
    }

    /** All keys with the buffer's reference count incremented; the caller releases it. */
    public ByteBuf keysRetainedSlice() {
        return buffer.retainedSlice(keysIndex, 8 * totalKeys());
    }

    /**
     * All keys as a little-endian {@link ByteBuffer} view, without copying; valid while the
     * buffer is. Allocates the view object.
     *
     * @throws IllegalStateException when the keys span several NIO buffers (a composite buffer)
     */
    public ByteBuffer keysNioBuffer() {
        return Frames.nioView(buffer, keysIndex, 8 * totalKeys());
    }

    /** All keys as a {@link MemorySegment} over {@link #keysNioBuffer()}; same contract. */
    public MemorySegment keysSegment() {
        return MemorySegment.ofBuffer(keysNioBuffer());
    }

    /** Bytes of the wrapped frame. */
    public int frameLength() {
        return length;
    }
}
