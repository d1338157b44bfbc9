package io.hps.gateway.tensor;

/**
 * An inference request the gateway refuses, with the HTTP status to answer and a message for the
 * client that names the problem ({@code input=... sample=...}). Thrown while reading a request and
 * turned into {@code {"error": "..."}} at the HTTP edge; never a 500.
 */
public final class RejectedRequestException extends RuntimeException {
    private final int status;

    public RejectedRequestException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** 400 Bad Request. */
    public static RejectedRequestException badRequest(String message) {
        return new RejectedRequestException(400, message);
    }

    /** The HTTP status code, 4xx. */
    public int status() {
        return status;
    }
}
