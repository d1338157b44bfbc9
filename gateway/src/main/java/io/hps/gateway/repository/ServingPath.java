package io.hps.gateway.repository;

/** Which deployment path serves a model; the gateway only routes by backend model name and reports it. */
public enum ServingPath {
    NATIVE("native"),
    FUSED("fused"),
    ENSEMBLE("ensemble");

    private final String label;

    ServingPath(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    static ServingPath ofLabel(String label) {
        for (ServingPath path : values()) {
            if (path.label.equals(label)) {
                return path;
            }
        }
        throw new RepositoryException("path must be native, fused or ensemble: path=" + label);
    }
}
