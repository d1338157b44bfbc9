package io.hps.gateway.repository;

/** What a served model computes, which fixes its inputs and outputs. */
public enum ModelKind {
    /** {@code dense} FP32 [B, D] and {@code categorical} INT64 [B, T] to {@code output} FP32 [B, 1]. */
    DLRM("dlrm"),
    /** Triton's HPS backend contract: {@code KEYS} INT64 and {@code NUMKEYS} INT32 to {@code OUTPUT0} FP32. */
    EMBEDDING("embedding");

    private final String label;

    ModelKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    static ModelKind ofLabel(String label) {
        for (ModelKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new RepositoryException("kind must be dlrm or embedding: kind=" + label);
    }
}
