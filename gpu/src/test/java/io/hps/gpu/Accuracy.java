package io.hps.gpu;

/** Relative norm error of a float32 result against a float64 reference; NaN anywhere gives +infinity. */
public final class Accuracy {

    private Accuracy() {
    }

    public static double relativeError(float[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("length mismatch: actual=" + actual.length + " expected=" + expected.length);
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < actual.length; i++) {
            if (!Float.isFinite(actual[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double d = actual[i] - expected[i];
            num += d * d;
            den += expected[i] * expected[i];
        }
        return Math.sqrt(num / den);
    }

    /**
     * Largest error of one element relative to the magnitude of the terms that made it:
     * {@code max |actual - expected| / scale}, where {@code scale} is e.g. {@code |b| + sum |x w|} for
     * a dot product. Unlike the norm error it does not grow when the terms cancel (a single output
     * near zero), so it bounds tiny cases too. NaN anywhere gives +infinity.
     */
    public static double scaledError(float[] actual, double[] expected, double[] scale) {
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            if (!Float.isFinite(actual[i])) {
                return Double.POSITIVE_INFINITY;
            }
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale[i]);
        }
        return worst;
    }

    /** Prints one measured error so that device runs report the numbers, not only pass or fail. */
    public static double report(String what, double error) {
        System.out.printf(java.util.Locale.ROOT, "accuracy %s relative_norm_error=%.3e%n", what, error);
        return error;
    }
}
