package io.hps.load;

import java.util.ArrayList;
import java.util.List;

/** A deployment path of the study: its column label and the gateway model serving it. */
record StudyPath(String label, String model) {
    StudyPath {
        if (label.isBlank() || model.isBlank()) {
            throw new IllegalArgumentException("path label and model must not be blank: label=" + label
                    + " model=" + model);
        }
    }

    /** Parses {@code label=model,label=model}; a bare {@code model} is its own label. */
    static List<StudyPath> parseAll(String spec) {
        List<StudyPath> paths = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] pair = part.trim().split("=", 2);
            paths.add(pair.length == 2 ? new StudyPath(pair[0].trim(), pair[1].trim())
                    : new StudyPath(pair[0], pair[0]));
        }
        return paths;
    }
}
