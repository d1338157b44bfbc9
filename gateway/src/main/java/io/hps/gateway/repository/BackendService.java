package io.hps.gateway.repository;

/** The RSocket service a model's requests go to, which fixes the frames exchanged. */
public enum BackendService {
    /** Score request frames (keys variant) in, score response frames out; default port 9200. */
    DENSE_SERVICE("dense-service"),
    /** Lookup request frames in, lookup response frames out; default port 9100. */
    HPS_SERVICE("hps-service");

    private final String label;

    BackendService(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    static BackendService ofLabel(String label) {
        for (BackendService service : values()) {
            if (service.label.equals(label)) {
                return service;
            }
        }
        throw new RepositoryException("backend.service must be dense-service or hps-service: backend.service=" + label);
    }
}
