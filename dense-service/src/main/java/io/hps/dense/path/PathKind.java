package io.hps.dense.path;

import java.util.Locale;

/** How a served model instance gets its embeddings (DESIGN.md, "The three deployment paths"). */
public enum PathKind {
    /** Whole tables resident in this process, no cache hierarchy (HugeCTR's static table). */
    NATIVE,
    /** The HPS library in this process: cache in front of the tiers of the model's ps.json. */
    FUSED,
    /** Keys sent to hps-service replicas over RSocket, vectors back in the response frame. */
    ENSEMBLE;

    /** Lowercase name, as in configuration and metric tags. */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
