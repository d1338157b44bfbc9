package io.hps.model.dense;

import java.io.IOException;

/**
 * A safetensors file is truncated, its header is not valid JSON or breaks the format's rules. The
 * message names the file and the offending values as {@code key=value} pairs.
 */
public final class SafetensorsFormatException extends IOException {

    public SafetensorsFormatException(String message) {
        super(message);
    }

    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
