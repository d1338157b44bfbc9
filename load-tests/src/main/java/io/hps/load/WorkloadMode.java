package io.hps.load;

/** Which batches a load step sends. */
enum WorkloadMode {
    /** One batch sent again and again: every key a cache hit after the first request. */
    SAME,
    /** Power-law batches from the workload generator, cycling through a precomputed set. */
    REALISTIC,
    /** Uniform keys over the whole key space, a fresh region of the stream per step: mostly cache misses. */
    COLD
}
