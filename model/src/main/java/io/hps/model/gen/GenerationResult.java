package io.hps.model.gen;

import io.hps.model.DlrmArchitecture;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A generated model.
 *
 * @param modelDirectory directory holding model.json, ps.json, dense.safetensors and sparse/
 * @param architecture   the model's shape
 * @param rows           embedding rows over all tables
 * @param bytes          payload bytes written (sparse keys and vectors, dense weights)
 * @param elapsed        wall time of the generation
 */
public record GenerationResult(Path modelDirectory, DlrmArchitecture architecture, long rows, long bytes,
                               Duration elapsed) {

    /** model.json of the generated model. */
    public Path modelJson() {
        return modelDirectory.resolve(SyntheticModelGenerator.MODEL_JSON);
    }
}
