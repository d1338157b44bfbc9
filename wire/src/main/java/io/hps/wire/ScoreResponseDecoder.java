package io.hps.wire;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight over a score response frame, little-endian. Written by {@link ScoreResponseEncoder}.
 *
 * <pre>
 *  0               4               8              12              16
 * +---------------+---------------+---------------+---------------+
 * | frame header: type SCORE_RESPONSE, no flags                   |
 * +---------------+---------------+---------------+---------------+
 * | request id u64                | batch B       | zeros to 64...|  16
 * +---------------+---------------+---------------+---------------+
 * | scores float32 [B]                                        ... |  64
 * +---------------------------------------------------------------+
 * </pre>
 *
 * B at least 1; the frame ends after the last score. Not thread-safe; reusable via {@link #wrap}.
 */
public final class ScoreResponseDecoder {
    static final int REQUEST_ID_OFFSET = FrameHeader.LENGTH;
    static final int BATCH_OFFSET = 24;
    static final int SCORES_OFFSET = 64;

    private ByteBuf buffer;
    private int offset;
    private int batch;

    /**
     * Validates the frame at {@code [offset, offset + length)} and points this decoder at it.
     *
     * @throws MalformedFrameException when any part of the frame is invalid
     */
    public ScoreResponseDecoder wrap(ByteBuf buffer, int offset, int length) {
        FrameHeader.validate(buffer, offset, length, FrameType.SCORE_RESPONSE, 0);
        Frames.requireFits(SCORES_OFFSET, length, "scoreResponseFields");
        batch = Frames.u32InRange(buffer, offset + BATCH_OFFSET, 1, Integer.MAX_VALUE, "batch");
        Frames.requireEnd(SCORES_OFFSET + 4L * batch, length, FrameType.SCORE_RESPONSE);
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public long requestId() {
        return buffer.getLongLE(offset + REQUEST_ID_OFFSET);
    }

    public int batchSize() {
        return batch;
    }

    /** Score of sample {@code sample}. */
    public float score(int sample) {
        return buffer.getFloatLE(offset + SCORES_OFFSET + 4 * sample);
    }

    /** Scores float32 [B]; shares the buffer's memory and reference count. */
    public ByteBuf scoresSlice() {
        return buffer.slice(offset + SCORES_OFFSET, 4 * batch);
    }
}
