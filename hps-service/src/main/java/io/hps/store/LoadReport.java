package io.hps.store;

/**
 * What loading one model did.
 *
 * @param model        model name
 * @param tables       tables loaded
 * @param rows         rows read from the sparse files
 * @param volatileRows rows written to the volatile tier ({@code initial_cache_rate} of each table)
 * @param cachedRows   rows written to the caches (all for a static table)
 * @param nanos        wall time of the whole load
 */
public record LoadReport(String model, int tables, long rows, long volatileRows, long cachedRows, long nanos) {
    public double seconds() {
        return nanos / 1e9;
    }

    public double rowsPerSecond() {
        return nanos == 0 ? 0 : rows * 1e9 / nanos;
    }
}
