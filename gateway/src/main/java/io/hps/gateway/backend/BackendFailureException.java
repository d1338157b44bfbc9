package io.hps.gateway.backend;

import io.hps.wire.ErrorCode;
import io.hps.wire.ErrorFrameDecoder;
import io.hps.wire.FrameHeader;
import io.hps.wire.FrameType;
import io.netty.buffer.ByteBuf;

/**
 * A request the gateway could not get answered: an error frame from a backend, a backend that
 * cannot be reached or answered garbage, a full queue, or a deadline that passed. Carries the
 * HTTP status to answer and, for load shedding, the seconds for {@code Retry-After}.
 */
public final class BackendFailureException extends RuntimeException {
    private final int status;
    private final int retryAfterSeconds;

    public BackendFailureException(int status, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * The HTTP answer to an error frame: request errors 400, unknown model 404, load shed or not
     * ready 503 with Retry-After, deadline 504, a backend bug 502.
     */
    public static BackendFailureException ofErrorFrame(ErrorCode code, String message) {
        String text = "backend " + code + ": " + message;
        return switch (code) {
            case BAD_REQUEST, UNKNOWN_TABLE, TOO_MANY_KEYS, MALFORMED_FRAME ->
                    new BackendFailureException(400, text, 0);
            case UNKNOWN_MODEL -> new BackendFailureException(404, text, 0);
            case OVERLOADED, NOT_READY -> new BackendFailureException(503, text, 1);
            case DEADLINE_EXCEEDED -> new BackendFailureException(504, text, 0);
            case INTERNAL -> new BackendFailureException(502, text, 0);
        };
    }

    /**
     * Checks that the backend's answer at {@code [offset, offset + length)} of {@code response} is
     * an {@code expected} frame: an error frame becomes {@link #ofErrorFrame}, any other type a 502
     * naming {@code service}.
     *
     * @throws io.hps.wire.MalformedFrameException the header is not a valid frame header
     */
    static void requireFrame(ByteBuf response, int offset, int length, FrameType expected, String service) {
        FrameType type = FrameHeader.peekType(response, offset, length);
        if (type == FrameType.ERROR) {
            ErrorFrameDecoder error = new ErrorFrameDecoder().wrap(response, offset, length);
            throw ofErrorFrame(error.code(), error.message());
        }
        if (type != expected) {
            throw new BackendFailureException(502, service + " answered a " + type + " frame", 0);
        }
    }

    /** HTTP status code. */
    public int status() {
        return status;
    }

    /** Seconds for {@code Retry-After}, 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
