package io.hps.tier;

/** The kind of a tier, used as the fixed {@code tier} tag value of metrics. */
public enum TierKind {
    HASH_MAP("hash_map"),
    REDIS("redis"),
    ROCKS_DB("rocksdb");

    private final String tagValue;

    TierKind(String tagValue) {
        this.tagValue = tagValue;
    }

    /** Lowercase metric tag value, e.g. {@code hash_map}. */
    public String tagValue() {
        return tagValue;
    }
}
