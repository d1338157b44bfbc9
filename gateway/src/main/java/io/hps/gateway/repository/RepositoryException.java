package io.hps.gateway.repository;

/** A model repository entry is missing, malformed or invalid; the message names the file and field. */
public final class RepositoryException extends RuntimeException {
    public RepositoryException(String message) {
        super(message);
    }

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }

    static void require(boolean condition, String field, String problem, Object value) {
        if (!condition) {
            throw new RepositoryException(field + " " + problem + ": " + field + "=" + value);
        }
    }
}
