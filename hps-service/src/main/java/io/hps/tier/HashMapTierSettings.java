package io.hps.tier;

/**
 * Settings of a {@link HashMapTier}, named after HugeCTR's {@code volatile_db} fields.
 *
 * @param partitions                number of partitions per table ({@code num_partitions}), 1 to 65536
 * @param overflowMarginEntries     most entries one partition holds ({@code overflow_margin}), at least 1
 * @param overflowPolicy            what to evict when a partition is full ({@code overflow_policy})
 * @param overflowResolutionTarget  fraction of {@code overflowMarginEntries} a full partition is evicted down
 *                                  to ({@code overflow_resolution_target}), in (0, 1]
 * @param allocationRateBytes       bytes of vector storage a partition allocates at a time
 *                                  ({@code allocation_rate}), at least 4096
 */
public record HashMapTierSettings(
        int partitions,
        long overflowMarginEntries,
        OverflowPolicy overflowPolicy,
        double overflowResolutionTarget,
        long allocationRateBytes) {

    /** HugeCTR's defaults: unbounded partitions, random eviction, target 0.8; 16 partitions, 4 MiB slabs. */
    public static final HashMapTierSettings DEFAULTS =
            new HashMapTierSettings(16, Integer.MAX_VALUE, OverflowPolicy.EVICT_RANDOM, 0.8, 4L << 20);

    public HashMapTierSettings {
        if (partitions < 1 || partitions > 65536) {
            throw new IllegalArgumentException("partitions must be in [1, 65536]: partitions=" + partitions);
        }
        if (overflowMarginEntries < 1 || overflowMarginEntries > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "overflowMarginEntries must be in [1, 2^31): overflowMarginEntries=" + overflowMarginEntries);
        }
        if (overflowPolicy == null) {
            throw new IllegalArgumentException("overflowPolicy must not be null");
        }
        if (!(overflowResolutionTarget > 0 && overflowResolutionTarget <= 1)) {
            throw new IllegalArgumentException(
                    "overflowResolutionTarget must be in (0, 1]: overflowResolutionTarget=" + overflowResolutionTarget);
        }
        if (allocationRateBytes < 4096) {
            throw new IllegalArgumentException("allocationRateBytes must be >= 4096: allocationRateBytes=" + allocationRateBytes);
        }
    }

    /**
     * Entries a full partition keeps after eviction: {@code round(margin * target)} as HugeCTR
     * computes it, at least 0 and below the margin.
     */
    public int overflowResolutionEntries() {
        long target = (long) (overflowMarginEntries * overflowResolutionTarget + 0.5);
        return (int) Math.min(target, overflowMarginEntries - 1);
    }
}
