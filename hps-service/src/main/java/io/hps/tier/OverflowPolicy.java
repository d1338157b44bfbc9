package io.hps.tier;

import java.util.Locale;

/**
 * What a bounded tier evicts when a partition reaches {@code overflow_margin} entries (HugeCTR's
 * {@code overflow_policy}).
 */
public enum OverflowPolicy {
    /** Evict entries chosen uniformly at random. */
    EVICT_RANDOM,
    /** Evict the entries with the fewest reads since insertion (access counts halve after each eviction round). */
    EVICT_LEAST_USED,
    /** Evict the entries whose last insert, update or read is oldest. */
    EVICT_OLDEST;

    /** The HugeCTR configuration name, e.g. {@code evict_random}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a HugeCTR configuration name such as {@code evict_least_used}. */
    public static OverflowPolicy fromConfigName(String name) {
        for (OverflowPolicy policy : values()) {
            if (policy.configName().equals(name)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("unknown overflow policy: overflow_policy=" + name);
    }
}
