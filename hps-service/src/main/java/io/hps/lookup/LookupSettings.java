package io.hps.lookup;

/**
 * How a {@link LookupSession} treats cache misses.
 *
 * @param hitRateThreshold   below this hit rate (over the unique keys of one lookup) misses are
 *                           fetched from the tiers before answering; at or above it they are
 *                           answered with the default vector and fetched in the background
 *                           ({@code hit_rate_threshold})
 * @param tierTimeoutMillis  deadline of the tier calls of one lookup, from its start
 * @param workspaces         concurrent lookups served without waiting (each holds scratch buffers
 *                           sized by the largest table batch)
 * @param asyncInsertQueue   background insertions that may wait; further ones are dropped and counted
 */
public record LookupSettings(double hitRateThreshold, long tierTimeoutMillis, int workspaces, int asyncInsertQueue) {
    public static final LookupSettings DEFAULTS = new LookupSettings(0.9, 20, 4, 64);

    public LookupSettings {
        if (!(hitRateThreshold >= 0 && hitRateThreshold <= 1)) {
            throw new IllegalArgumentException("hitRateThreshold must be in [0, 1]: hitRateThreshold=" + hitRateThreshold);
        }
        if (tierTimeoutMillis < 1) {
            throw new IllegalArgumentException("tierTimeoutMillis must be >= 1: tierTimeoutMillis=" + tierTimeoutMillis);
        }
        if (workspaces < 1 || asyncInsertQueue < 0) {
            throw new IllegalArgumentException("workspaces must be >= 1 and asyncInsertQueue >= 0: workspaces="
                    + workspaces + " asyncInsertQueue=" + asyncInsertQueue);
        }
    }

    public LookupSettings withHitRateThreshold(double threshold) {
        return new LookupSettings(threshold, tierTimeoutMillis, workspaces, asyncInsertQueue);
    }
}
