package io.hps.model.sparse;

import java.io.IOException;

/**
 * A HugeCTR sparse table directory is missing, incomplete or inconsistent. The message names
 * the offending file and the sizes involved as {@code key=value} pairs.
 */
public final class SparseFormatException extends IOException {

    public SparseFormatException(String message) {
        super(message);
    }

    public SparseFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
