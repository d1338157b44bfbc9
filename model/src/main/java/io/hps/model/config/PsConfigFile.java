package io.hps.model.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A {@link PsConfig} read from a file, and what the reader had to say about it.
 *
 * @param directory directory of the file; relative {@code sparse_files} were resolved against it
 * @param config    the validated contents
 * @param issues    unknown fields, unsupported settings and adjusted values, to be logged at start-up
 */
public record PsConfigFile(Path directory, PsConfig config, List<ConfigIssue> issues) {
    public PsConfigFile {
        issues = List.copyOf(issues);
    }
}
