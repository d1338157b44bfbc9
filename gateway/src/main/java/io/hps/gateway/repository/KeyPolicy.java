package io.hps.gateway.repository;

/** What the gateway does with a key outside {@code [0, rows)} of its table. */
public enum KeyPolicy {
    /** Answer 400 naming the input, the sample (or key index) and the table. */
    REJECT("reject"),
    /** Pass the key on; the parameter server answers it with the table's default vector. */
    DEFAULT("default");

    private final String label;

    KeyPolicy(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    static KeyPolicy ofLabel(String label) {
        for (KeyPolicy policy : values()) {
            if (policy.label.equals(label)) {
                return policy;
            }
        }
        throw new RepositoryException("key_policy must be reject or default: key_policy=" + label);
    }
}
