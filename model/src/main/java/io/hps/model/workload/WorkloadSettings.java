package io.hps.model.workload;

/**
 * How a {@link WorkloadGenerator} draws requests.
 *
 * @param seed               everything drawn is a function of the seed and the sample index
 * @param keys               how keys are spread over each table's rows
 * @param zipfExponent       {@code s} of the power law {@code P(rank k) ~ k^-s}, {@code > 0}; ignored for uniform keys
 * @param unknownKeyFraction fraction of keys, in [0, 1], drawn outside every table (at or above its row count),
 *                           to exercise default vectors
 */
public record WorkloadSettings(long seed, KeyDistribution keys, double zipfExponent, double unknownKeyFraction) {

    /** A power-law exponent close to what click logs show. */
    public static final double DEFAULT_ZIPF_EXPONENT = 1.05;

    /** How keys are spread over a table's rows. */
    public enum KeyDistribution {
        /** Power law over ranks, ranks mapped to rows through a fixed permutation. */
        ZIPF,
        /** Every row equally likely. */
        UNIFORM
    }

    public WorkloadSettings {
        if (keys == null) {
            throw new IllegalArgumentException("key distribution must be given");
        }
        if (!(zipfExponent > 0) || Double.isInfinite(zipfExponent)) {
            throw new IllegalArgumentException("zipf exponent must be > 0: zipfExponent=" + zipfExponent);
        }
        if (!(unknownKeyFraction >= 0 && unknownKeyFraction <= 1)) {
            throw new IllegalArgumentException("unknown key fraction must be in [0, 1]: unknownKeyFraction="
                    + unknownKeyFraction);
        }
    }

    /** Power-law keys with the default exponent, no unknown keys. */
    public static WorkloadSettings zipf(long seed) {
        return new WorkloadSettings(seed, KeyDistribution.ZIPF, DEFAULT_ZIPF_EXPONENT, 0.0);
    }

    /** Uniform keys, no unknown keys. */
    public static WorkloadSettings uniform(long seed) {
        return new WorkloadSettings(seed, KeyDistribution.UNIFORM, DEFAULT_ZIPF_EXPONENT, 0.0);
    }

    public WorkloadSettings withZipfExponent(double exponent) {
        return new WorkloadSettings(seed, keys, exponent, unknownKeyFraction);
    }

    public WorkloadSettings withUnknownKeyFraction(double fraction) {
        return new WorkloadSettings(seed, keys, zipfExponent, fraction);
    }
}
