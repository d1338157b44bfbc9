package io.hps.model.config;

import java.nio.file.Path;
import java.util.List;

/**
 * A {@link ModelConfig} read from a file, with its relative paths resolved against the directory
 * that holds the file, and what the reader had to say about it.
 *
 * @param directory directory of {@code model.json}; relative paths are resolved against it
 * @param config    the validated contents
 * @param issues    unknown fields and other non-fatal findings, in file order
 */
public record ModelConfigFile(Path directory, ModelConfig config, List<ConfigIssue> issues) {

    public ModelConfigFile {
        issues = List.copyOf(issues);
    }

    /** Sparse table directories, one per table, in table order. */
    public List<Path> sparseFiles() {
        return config.tables().stream().map(t -> resolve(t.sparseFile())).toList();
    }

    /** The safetensors file of the dense weights. */
    public Path denseWeights() {
        return resolve(config.denseWeights());
    }

    /** The HugeCTR-style ps.json of this model. */
    public Path hpsConfig() {
        return resolve(config.hpsConfig());
    }

    private Path resolve(String relative) {
        return directory.resolve(relative).normalize();
    }
}
