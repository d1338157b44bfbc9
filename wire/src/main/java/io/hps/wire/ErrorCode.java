package io.hps.wire;

/** Why a request failed, carried by an error frame as a u16. */
public enum ErrorCode {
    /** The request is well-formed but asks for something invalid. */
    BAD_REQUEST(1),
    /** No model of that name is deployed here. */
    UNKNOWN_MODEL(2),
    /** The request names more tables, or other tables, than the model has. */
    UNKNOWN_TABLE(3),
    /** More keys than the model's {@code max_batch_size} and per-table limits allow. */
    TOO_MANY_KEYS(4),
    /** The frame broke its layout ({@link MalformedFrameException}). */
    MALFORMED_FRAME(5),
    /** The request's deadline passed before it was answered. */
    DEADLINE_EXCEEDED(6),
    /** Load was shed; retrying later may succeed. */
    OVERLOADED(7),
    /** The service is starting or its model is still loading. */
    NOT_READY(8),
    /** A bug or an unexpected failure on the serving side. */
    INTERNAL(9);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The value of the code field on the wire. */
    public int code() {
        return code;
    }

    static ErrorCode ofCode(int code) {
        return switch (code) {
            case 1 -> BAD_REQUEST;
            case 2 -> UNKNOWN_MODEL;
            case 3 -> UNKNOWN_TABLE;
            case 4 -> TOO_MANY_KEYS;
            case 5 -> MALFORMED_FRAME;
            case 6 -> DEADLINE_EXCEEDED;
            case 7 -> OVERLOADED;
            case 8 -> NOT_READY;
            case 9 -> INTERNAL;
            default -> null;
        };
    }
}
