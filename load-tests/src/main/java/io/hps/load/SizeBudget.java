package io.hps.load;

import java.util.Optional;

/**
 * Decides before a step whether its batch size can finish within the per-step budget: one
 * request's latency is estimated by scaling the previous size's measured latency linearly with the
 * batch size, and the step needs at least {@code minRequests} of them.
 */
record SizeBudget(long stepBudgetMillis, int minRequests) {
    SizeBudget {
        if (stepBudgetMillis < 1 || minRequests < 1) {
            throw new IllegalArgumentException("need stepBudgetMillis >= 1 and minRequests >= 1: stepBudgetMillis="
                    + stepBudgetMillis + " minRequests=" + minRequests);
        }
    }

    /** One request's latency at {@code batch}, in ms, from {@code previousMillis} measured at {@code previousBatch}. */
    static double estimateMillis(int previousBatch, double previousMillis, int batch) {
        return previousMillis * batch / previousBatch;
    }

    /** Why {@code batch} is skipped, or empty when the estimate fits the budget. */
    Optional<String> skipReason(int previousBatch, double previousMillis, int batch) {
        double estimate = estimateMillis(previousBatch, previousMillis, batch);
        if (estimate * minRequests <= stepBudgetMillis) {
            return Optional.empty();
        }
        return Optional.of("skipped: estimated %.0f ms per request (from %.1f ms at batch %d) x %d requests > budget %d ms"
                .formatted(estimate, previousMillis, previousBatch, minRequests, stepBudgetMillis));
    }
}
