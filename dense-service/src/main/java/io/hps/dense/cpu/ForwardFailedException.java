package io.hps.dense.cpu;

/** A forward call failed inside a worker thread; the worker's exception is the cause. */
public final class ForwardFailedException extends RuntimeException {
    ForwardFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
