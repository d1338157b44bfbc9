package io.hps.wire;

import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Flyweight over a score request frame, little-endian. Written by {@link ScoreRequestEncoder}.
 *
 * <pre>
 *  0               4               8              12              16
 * +---------------+---------------+---------------+---------------+
 * | frame header: type SCORE_REQUEST, no flags                    |
 * +---------------+---------------+---------------+---------------+
 * | request id u64                | deadline, micros since epoch  |  16
 * +---------------+---------------+---------------+---+---+-------+
 * | batch B       | dense count D | table count T |in-|na-| 0 u16 |  32
 * |               |               |               |put|len|       |
 * +---------------+---------------+---------------+---+---+-------+
 * | model name UTF-8                                          ... |  48
 * +---------------- 64-byte aligned ------------------------------+
 * | dense features float32 [B, D], sample-major               ... |
 * +---------------- 64-byte aligned ------------------------------+
 * | input 1 (keys): keys int64 [B, T], sample-major           ... |
 * | input 2 (embeddings): embedding section, see                  |
 * |   {@link EmbeddingSection}, with B keys in each of T tables ... |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * B at least 1, D 0..65536, T 1..4096; the frame ends exactly after its last part. Not
 * thread-safe; reusable via {@link #wrap}.
 */
public final class ScoreRequestDecoder {
    static final int INPUT_KEYS = 1;
    static final int INPUT_EMBEDDINGS = 2;
    static final int REQUEST_ID_OFFSET = FrameHeader.LENGTH;
    static final int DEADLINE_OFFSET = 24;
    static final int BATCH_OFFSET = 32;
    static final int DENSE_COUNT_OFFSET = 36;
    static final int TABLE_COUNT_OFFSET = 40;
    static final int INPUT_OFFSET = 44;
    static final int MODEL_NAME_LENGTH_OFFSET = 45;
    static final int RESERVED_OFFSET = 46;
    static final int MODEL_NAME_OFFSET = 48;

    private final EmbeddingSection embeddings = new EmbeddingSection();
    private ByteBuf buffer;
    private int offset;
    private int length;
    private int batch;
    private int denseCount;
    private int tableCount;
    private int input;
    private int denseIndex;
    private int sparseIndex;

    /**
     * Validates the frame at {@code [offset, offset + length)} of {@code buffer}, embedding section
     * included, and points this decoder at it. Does not retain the buffer.
     *
     * @throws MalformedFrameException when any part of the frame is invalid
     */
    public ScoreRequestDecoder wrap(ByteBuf buffer, int offset, int length) {
        FrameHeader.validate(buffer, offset, length, FrameType.SCORE_REQUEST, 0);
        Frames.requireFits(MODEL_NAME_OFFSET, length, "scoreRequestFields");
        batch = Frames.u32InRange(buffer, offset + BATCH_OFFSET, 1, Integer.MAX_VALUE, "batch");
        denseCount = Frames.u32InRange(buffer, offset + DENSE_COUNT_OFFSET, 0, Frames.MAX_DENSE, "denseCount");
        tableCount = Frames.u32InRange(buffer, offset + TABLE_COUNT_OFFSET, 1, Frames.MAX_TABLES, "tableCount");
        input = buffer.getUnsignedByte(offset + INPUT_OFFSET);
        int nameLength = buffer.getUnsignedByte(offset + MODEL_NAME_LENGTH_OFFSET);
        long deadline = buffer.getLongLE(offset + DEADLINE_OFFSET);
        if ((input != INPUT_KEYS && input != INPUT_EMBEDDINGS) || nameLength == 0 || deadline < 0
                || buffer.getShortLE(offset + RESERVED_OFFSET) != 0) {
            throw new MalformedFrameException("score request fields invalid: input=" + input + " modelNameLength="
                    + nameLength + " deadlineMicros=" + deadline + " reserved="
                    + buffer.getShortLE(offset + RESERVED_OFFSET));
        }
        Frames.requireFits(MODEL_NAME_OFFSET + nameLength, length, "modelName");
        Frames.requireUtf8(buffer, offset + MODEL_NAME_OFFSET, nameLength, "modelName");
        long denseOffset = Frames.align64(MODEL_NAME_OFFSET + nameLength);
        long sparseOffset = Frames.align64(denseOffset + 4L * batch * denseCount);
        Frames.requireFits(sparseOffset, length, "dense");
        denseIndex = offset + (int) denseOffset;
        sparseIndex = offset + (int) sparseOffset;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        if (input == INPUT_KEYS) {
            Frames.requireEnd(sparseOffset + 8L * batch * tableCount, length, FrameType.SCORE_REQUEST);
        } else {
            wrapEmbeddings();
        }
        return this;
    }

    private void wrapEmbeddings() {
        embeddings.wrap(buffer, sparseIndex, offset + length);
        if (embeddings.tableCount() != tableCount) {
            throw new MalformedFrameException("embedding table count differs: tableCount=" + tableCount
                    + " embeddingTables=" + embeddings.tableCount());
        }
        for (int t = 0; t < tableCount; t++) {
            if (embeddings.keyCount(t) != batch) {
                throw new MalformedFrameException("embedding key count differs from batch: table=" + t
                        + " keyCount=" + embeddings.keyCount(t) + " batch=" + batch);
            }
        }
    }

    public long requestId() {
        return buffer.getLongLE(offset + REQUEST_ID_OFFSET);
    }

    /** Deadline in microseconds since the Unix epoch; 0 means none. */
    public long deadlineMicros() {
        return buffer.getLongLE(offset + DEADLINE_OFFSET);
    }

    /** The model name; allocates a String. */
    public String modelName() {
        return Frames.utf8(buffer, offset + MODEL_NAME_OFFSET, buffer.getUnsignedByte(offset + MODEL_NAME_LENGTH_OFFSET));
    }

    /** The request as a {@link RequestContext}; allocates. */
    public RequestContext context() {
        return new RequestContext(modelName(), requestId(), deadlineMicros());
    }

    public int batchSize() {
        return batch;
    }

    public int denseCount() {
        return denseCount;
    }

    public int tableCount() {
        return tableCount;
    }

    /** Whether the frame carries keys ("infer"); otherwise it carries {@link #embeddings()}. */
    public boolean carriesKeys() {
        return input == INPUT_KEYS;
    }

    /** Dense feature {@code feature} of sample {@code sample}. */
    public float dense(int sample, int feature) {
        return buffer.getFloatLE(denseIndex + 4 * (sample * denseCount + feature));
    }

    /** Dense features float32 {@code [B, D]}; shares the buffer's memory and reference count. */
    public ByteBuf denseSlice() {
        return buffer.slice(denseIndex, 4 * batch * denseCount);
    }

    /** Dense features as a little-endian NIO view; throws IllegalStateException across components. */
    public ByteBuffer denseNioBuffer() {
        return Frames.nioView(buffer, denseIndex, 4 * batch * denseCount);
    }

    /** Key of sample {@code sample}, table {@code table}; only when {@link #carriesKeys()}. */
    public long key(int sample, int table) {
        return buffer.getLongLE(sparseIndex + 8 * (sample * tableCount + table));
    }

    /** Keys int64 {@code [B, T]}; shares the buffer's memory and reference count; only with keys. */
    public ByteBuf keysSlice() {
        requireKeys();
        return buffer.slice(sparseIndex, 8 * batch * tableCount);
    }

    /** Keys as a little-endian NIO view without copying; throws IllegalStateException across components. */
    public ByteBuffer keysNioBuffer() {
        requireKeys();
        return Frames.nioView(buffer, sparseIndex, 8 * batch * tableCount);
    }

    /** Keys as a {@link MemorySegment} over {@link #keysNioBuffer()}. */
    public MemorySegment keysSegment() {
        return MemorySegment.ofBuffer(keysNioBuffer());
    }

    /** The embedding section; only when not {@link #carriesKeys()}; the same object on every call. */
    public EmbeddingSection embeddings() {
        if (input != INPUT_EMBEDDINGS) {
            throw new IllegalStateException("score request carries keys, not embeddings");
        }
        return embeddings;
    }

    /** Bytes of the wrapped frame. */
    public int frameLength() {
        return length;
    }

    private void requireKeys() {
        if (input != INPUT_KEYS) {
            throw new IllegalStateException("score request carries embeddings, not keys");
        }
    }
}
