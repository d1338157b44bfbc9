package io.hps.dense.path;

import io.hps.wire.ErrorCode;

/**
 * A request that a path refuses or could not serve, with the {@link ErrorCode} its error frame
 * carries. Thrown before any work for invalid input (nothing else is affected), or when a lookup
 * on the way fails. The message names the offending value as {@code key=value}.
 */
public final class ScoringException extends RuntimeException {
    private final ErrorCode code;

    public ScoringException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ScoringException(ErrorCode code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
