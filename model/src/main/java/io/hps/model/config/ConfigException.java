package io.hps.model.config;

/**
 * A configuration file that cannot be used: malformed JSON, a missing or mistyped field, or a value
 * that breaks an invariant. The message names the file, the JSON path of the field and the value,
 * e.g. {@code ps.json: models[0].gpucacheper must be in [0, 1]: gpucacheper=1.5}.
 */
public final class ConfigException extends RuntimeException {

    private final String source;
    private final String path;
    private final String problem;
    private final boolean rooted;

    /**
     * @param path    JSON path of the offending field relative to the object being built, e.g. {@code gpucacheper}
     * @param problem what is wrong, with the value, e.g. {@code must be in [0, 1]: gpucacheper=1.5}
     */
    public ConfigException(String path, String problem) {
        this(null, path, problem, null, false);
    }

    private ConfigException(String source, String path, String problem, Throwable cause, boolean rooted) {
        super(compose(source, path, problem), cause);
        this.source = source;
        this.path = path;
        this.problem = problem;
        this.rooted = rooted;
    }

    /** An error whose path is already complete, from the root of the file. */
    static ConfigException at(String fullPath, String problem) {
        return new ConfigException(null, fullPath, problem, null, true);
    }

    /** An error about a whole file, such as unreadable bytes or malformed JSON. */
    static ConfigException ofFile(String source, String problem, Throwable cause) {
        return new ConfigException(source, "", problem, cause, true);
    }

    /**
     * The same error for a field nested under {@code parentPath}, e.g. {@code models[0]}; an error
     * whose path is already complete is returned unchanged.
     */
    ConfigException under(String parentPath) {
        if (rooted) {
            return this;
        }
        return new ConfigException(source, JsonFields.join(parentPath, path), problem, getCause(), true);
    }

    /** The same error attributed to the file {@code sourceName}, unless it already names one. */
    ConfigException in(String sourceName) {
        return source != null ? this : new ConfigException(sourceName, path, problem, getCause(), rooted);
    }

    /** File the error was found in, such as {@code ps.json}; null when not yet known. */
    public String source() {
        return source;
    }

    /** Full JSON path of the offending field, such as {@code models[0].gpucacheper}; empty for whole-file errors. */
    public String path() {
        return path;
    }

    private static String compose(String source, String path, String problem) {
        if (path.isEmpty()) {
            return source == null ? problem : source + " " + problem;
        }
        return source == null ? path + " " + problem : source + ": " + path + " " + problem;
    }
}
