package io.hps.tier;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Turns an asynchronous operation into a {@link TierResult} future that completes by the
 * deadline whatever the operation does. Exactly one of "operation finished" and "deadline passed"
 * claims the call: if the deadline wins, the operation's late answer is dropped without touching
 * the caller's buffers; if the operation wins, its result handler (which writes the buffers) runs
 * to the end before the future completes.
 */
final class DeadlineGuard {
    private final ScheduledExecutorService timer;

    DeadlineGuard(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Completes with {@code onValue(value)}, an error result, or a deadline result, whichever comes first. */
    <T> CompletableFuture<TierResult> guard(CompletionStage<T> operation, Deadline deadline,
                                            Function<? super T, TierResult> onValue) {
        CompletableFuture<TierResult> result = new CompletableFuture<>();
        AtomicBoolean claimed = new AtomicBoolean();
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            if (claimed.compareAndSet(false, true)) {
                result.complete(TierResult.deadlineExceeded(0));
            }
        }, Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        operation.whenComplete((value, error) -> {
            if (claimed.compareAndSet(false, true)) {
                timeout.cancel(false);
                result.complete(error == null ? safely(onValue, value) : failed(error, deadline));
            }
        });
        return result;
    }

    private static <T> TierResult safely(Function<? super T, TierResult> onValue, T value) {
        try {
            return onValue.apply(value);
        } catch (RuntimeException e) {
            return TierResult.unavailable(0, describe(e));
        }
    }

    static TierResult failed(Throwable error, Deadline deadline) {
        return deadline.expired() ? TierResult.deadlineExceeded(0) : TierResult.unavailable(0, describe(error));
    }

    static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootText = root.getClass().getSimpleName() + ": " + root.getMessage();
        return root == error ? rootText : error.getClass().getSimpleName() + " (" + rootText + ")";
    }
}
