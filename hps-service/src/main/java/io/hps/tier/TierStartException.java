package io.hps.tier;

/** A tier could not start: its server was unreachable at start-up or its files could not be opened. */
public final class TierStartException extends RuntimeException {
    public TierStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
