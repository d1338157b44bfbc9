package io.hps.model.config;

/**
 * Something in a configuration file that was accepted but deserves a line in the start-up log:
 * a field nobody reads, a setting that is recognised but not supported here, or a value that was
 * adjusted the way HugeCTR adjusts it.
 *
 * @param source  file name, e.g. {@code ps.json}
 * @param path    JSON path, e.g. {@code models[0].gpu_cache_size}
 * @param kind    what sort of issue
 * @param message what was done about it
 */
public record ConfigIssue(String source, String path, Kind kind, String message) {

    /** The sorts of issue. */
    public enum Kind {
        /** A field that no reader consumes; it has no effect. */
        UNKNOWN_FIELD,
        /** A HugeCTR setting that is recognised but not implemented; it has no effect. */
        UNSUPPORTED,
        /** A value that was completed or corrected, following HugeCTR. */
        ADJUSTED
    }

    @Override
    public String toString() {
        return source + ": " + path + ": " + message;
    }
}
