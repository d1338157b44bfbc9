package io.hps.load;

/** Which batches a load step sends. */
enum WorkloadMode {
    /** One batch sent again and again: every key a cache hit after the first request. */
    SAME,
    /** Power-law batches from the workload generator, cycling through a precomputed set. */
    REALISTIC,
    /**
     * Uniform keys over the whole key space, a fresh region of the stream per step: cache misses until
     * the precomputed set cycles (at most {@code --distinct-batches} batches); the hit rates read from
     * hps-service show how cold the step stayed.
     */
    COLD
}
