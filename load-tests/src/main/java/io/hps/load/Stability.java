package io.hps.load;

import java.util.List;

/** perf_analyzer's stability rule over per-window throughputs. */
final class Stability {
    /** Windows the rule looks at. */
    static final int WINDOWS = 3;

    private Stability() {
    }

    /**
     * True when there are at least three windows, each with throughput above zero, and the last three
     * lie within {@code percent} of their mean.
     */
    static boolean stable(List<Double> throughputs, double percent) {
        if (throughputs.size() < WINDOWS) {
            return false;
        }
        List<Double> last = throughputs.subList(throughputs.size() - WINDOWS, throughputs.size());
        double mean = last.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        if (mean <= 0) {
            return false;
        }
        return last.stream().allMatch(t -> t > 0 && Math.abs(t - mean) <= mean * percent / 100.0);
    }
}
