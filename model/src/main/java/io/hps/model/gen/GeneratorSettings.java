package io.hps.model.gen;

import io.hps.model.CriteoTables;
import io.hps.model.DlrmArchitecture;
import java.nio.file.Path;

/**
 * What {@link SyntheticModelGenerator} writes.
 *
 * @param outputDirectory model directory; created if missing, generated files in it are replaced
 * @param name            model name, as in HugeCTR's {@code models[].model}
 * @param scale           fraction of the Criteo FL=15 cardinalities, in (0, 1]; 1.0 is the full 32.7 M rows
 * @param dimension       embedding dimension, also the bottom MLP output width
 * @param seed            seed of every random stream; the output depends on it alone, not on {@code threads}
 * @param threads         worker threads generating and writing embedding rows
 * @param maxBatchSize    largest batch the model is deployed for, written to model.json and ps.json
 */
public record GeneratorSettings(Path outputDirectory, String name, double scale, int dimension, long seed,
                                int threads, int maxBatchSize) {

    public GeneratorSettings {
        if (outputDirectory == null) {
            throw new IllegalArgumentException("outputDirectory must be set");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank");
        }
        if (!(scale > 0) || scale > 1.0) {
            throw new IllegalArgumentException("scale must be in (0, 1]: scale=" + scale);
        }
        if (dimension < 1 || threads < 1 || maxBatchSize < 1) {
            throw new IllegalArgumentException("dimension, threads and maxBatchSize must be >= 1: dimension="
                    + dimension + " threads=" + threads + " maxBatchSize=" + maxBatchSize);
        }
    }

    /** Defaults of the command line: dlrm, scale 0.001, dimension 128, seed 42, all cores, batch 16384. */
    public static GeneratorSettings defaults(Path outputDirectory) {
        return new GeneratorSettings(outputDirectory, "dlrm", 0.001, 128, 42,
                Runtime.getRuntime().availableProcessors(), 16384);
    }

    /**
     * The generated model's shape: the scaled FL=15 tables ({@link CriteoTables#fl15}), 13 dense
     * features, bottom MLP {@code [512, 256, dimension]}, top MLP {@code [1024, 1024, 512, 256, 1]}
     * (the MLPerf DLRM when {@code dimension} is 128).
     */
    public DlrmArchitecture architecture() {
        return new DlrmArchitecture(13, CriteoTables.fl15(scale, dimension), new int[] {512, 256, dimension},
                new int[] {1024, 1024, 512, 256, 1});
    }
}
