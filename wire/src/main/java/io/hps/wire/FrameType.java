package io.hps.wire;

/** The type byte of a {@link FrameHeader}. */
public enum FrameType {
    /** {@link LookupRequestDecoder}: model, per-table key counts, keys. */
    LOOKUP_REQUEST(1),
    /** {@link LookupResponseDecoder}: status and an {@link EmbeddingSection}. */
    LOOKUP_RESPONSE(2),
    /** {@link ScoreRequestDecoder}: dense features with keys or an {@link EmbeddingSection}. */
    SCORE_REQUEST(3),
    /** {@link ScoreResponseDecoder}: one float32 score per sample. */
    SCORE_RESPONSE(4),
    /** {@link ErrorFrameDecoder}: an {@link ErrorCode} and a message. */
    ERROR(5);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The value of the type byte on the wire. */
    public int code() {
        return code;
    }

    /** The type with this code, or {@code null} when no type has it. */
    static FrameType ofCode(int code) {
        return switch (code) {
            case 1 -> LOOKUP_REQUEST;
            case 2 -> LOOKUP_RESPONSE;
            case 3 -> SCORE_REQUEST;
            case 4 -> SCORE_RESPONSE;
            case 5 -> ERROR;
            default -> null;
        };
    }
}
