package io.hps.lookup;

/**
 * What one table lookup did.
 *
 * @param keys        keys asked for
 * @param uniqueKeys  distinct keys among them
 * @param cacheHits   distinct keys the cache answered
 * @param tierHits    distinct keys fetched from a tier before answering
 * @param defaults    distinct keys answered with the default vector (found nowhere, or left to
 *                    the background insertion above the hit-rate threshold)
 * @param tierErrors  tier calls that failed or ran out of time
 */
public record LookupOutcome(int keys, int uniqueKeys, int cacheHits, int tierHits, int defaults, int tierErrors) {
    /** Hit rate of the cache over the distinct keys, 1 for an empty lookup. */
    public double hitRate() {
        return uniqueKeys == 0 ? 1.0 : (double) cacheHits / uniqueKeys;
    }
}
