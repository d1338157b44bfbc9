package io.hps.model.workload;

import java.util.random.RandomGenerator;

/**
 * Draws ranks {@code k} in {@code [1, n]} with probability proportional to {@code k^-s}, in O(1)
 * expected time and O(1) memory whatever {@code n} (no table of cumulative weights), by
 * rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates
 * from monotone discrete distributions", ACM TOMACS 6(3), 1996). The continuous hat
 * {@code h(x) = x^-s} is integrated and inverted in closed form; a draw is kept when it falls under
 * the discrete bar of its rounded value, which happens for all but a few percent of draws.
 *
 * <p>Immutable and thread-safe; the randomness comes from the generator passed to {@link #sample}.
 */
final class ZipfSampler {

    private final long n;
    private final double exponent;
    private final double hIntegralX1;
    private final double hIntegralN;
    private final double squeeze;

    /**
     * @param n        number of ranks, at least 1
     * @param exponent {@code s > 0}; 1.05 is close to click logs
     */
    ZipfSampler(long n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("rank count must be >= 1: n=" + n);
        }
        if (!(exponent > 0) || Double.isInfinite(exponent)) {
            throw new IllegalArgumentException("zipf exponent must be > 0: exponent=" + exponent);
        }
        this.n = n;
        this.exponent = exponent;
        this.hIntegralX1 = hIntegral(1.5) - 1.0;
        this.hIntegralN = hIntegral(n + 0.5);
        this.squeeze = 2.0 - hIntegralInverse(hIntegral(2.5) - h(2.0));
    }

    /** A rank in {@code [1, n]}; rank 1 is the most likely. */
    long sample(RandomGenerator random) {
        while (true) {
            double u = hIntegralN + random.nextDouble() * (hIntegralX1 - hIntegralN);
            double x = hIntegralInverse(u);
            long k = Math.clamp((long) (x + 0.5), 1L, n);
            if (k - x <= squeeze || u >= hIntegral(k + 0.5) - h(k)) {
                return k;
            }
        }
    }

    /** Probability of rank {@code k}, computed by summation: O(n), for tests and reports only. */
    double probability(long k) {
        double total = 0;
        for (long i = n; i >= 1; i--) {
            total += h(i);
        }
        return h(k) / total;
    }

    /** {@code h(x) = x^-s}. */
    private double h(double x) {
        return Math.exp(-exponent * Math.log(x));
    }

    /** {@code H(x) = (x^(1-s) - 1) / (1 - s)}, and {@code log x} at {@code s = 1}, evaluated stably. */
    private double hIntegral(double x) {
        double logX = Math.log(x);
        return expm1OverX((1.0 - exponent) * logX) * logX;
    }

    /** The inverse of {@link #hIntegral}. */
    private double hIntegralInverse(double y) {
        double t = Math.max(-1.0, y * (1.0 - exponent));
        return Math.exp(log1pOverX(t) * y);
    }

    /** {@code log(1 + t) / t}, 1 at {@code t = 0}. */
    private static double log1pOverX(double t) {
        return Math.abs(t) > 1e-8 ? Math.log1p(t) / t : 1.0 - t * (0.5 - t / 3.0);
    }

    /** {@code (e^t - 1) / t}, 1 at {@code t = 0}. */
    private static double expm1OverX(double t) {
        return Math.abs(t) > 1e-8 ? Math.expm1(t) / t : 1.0 + t * 0.5 * (1.0 + t / 3.0);
    }
}
