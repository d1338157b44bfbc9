package io.hps.wire;

import io.netty.buffer.ByteBuf;

/** Writes score response frames (layout in {@link ScoreResponseDecoder}). Stateless and thread-safe. */
public final class ScoreResponseEncoder {
    private ScoreResponseEncoder() {
    }

    /** Exact bytes of the frame for {@code batch} scores. */
    public static int frameLength(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1: batch=" + batch);
        }
        return Frames.frameLength(ScoreResponseDecoder.SCORES_OFFSET + 4L * batch, FrameType.SCORE_RESPONSE);
    }

    /**
     * Writes one frame at the writer index of {@code out} (owned by the caller) and advances it by
     * the returned frame length.
     *
     * @param scores float32 little-endian, one per sample; read from its reader index, not moved
     */
    public static int encode(ByteBuf out, long requestId, ByteBuf scores) {
        int batch = scores.readableBytes() / Float.BYTES;
        int length = frameLength(batch);
        Frames.requireReadable(scores, 4L * batch, "scores");
        out.ensureWritable(length);
        int start = out.writerIndex();
        FrameHeader.write(out, FrameType.SCORE_RESPONSE, 0, length);
        out.writeLongLE(requestId);
        out.writeIntLE(batch);
        Frames.padTo64(out, start);
        out.writeBytes(scores, scores.readerIndex(), scores.readableBytes());
        return length;
    }
}
