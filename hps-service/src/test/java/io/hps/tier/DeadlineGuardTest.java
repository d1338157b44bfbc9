package io.hps.tier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlineGuardTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final DeadlineGuard guard = new DeadlineGuard(timer);

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void shouldAnswerByTheDeadlineAndDropTheLateReply() {
        CompletableFuture<String> operation = new CompletableFuture<>();
        AtomicBoolean handled = new AtomicBoolean();

        CompletableFuture<TierResult> result = guard.guard(operation, Deadline.after(Duration.ofMillis(20)), value -> {
            handled.set(true);
            return TierResult.ok(1);
        });

        assertThat(result.join()).isEqualTo(TierResult.deadlineExceeded(0));
        operation.complete("late");
        assertThat(handled).isFalse();
    }

    @Test
    void shouldUseTheReplyThatCameInTime() {
        CompletableFuture<String> operation = new CompletableFuture<>();
        CompletableFuture<TierResult> result = guard.guard(operation, Deadline.after(Duration.ofSeconds(30)),
                value -> TierResult.ok(value.length()));
        operation.complete("four");
        assertThat(result.join()).isEqualTo(TierResult.ok(4));
    }

    @Test
    void shouldTurnAFailureIntoAnUnavailableResult() {
        CompletableFuture<String> operation = new CompletableFuture<>();
        CompletableFuture<TierResult> result = guard.guard(operation, Deadline.after(Duration.ofSeconds(30)),
                value -> TierResult.ok(1));
        operation.completeExceptionally(new java.io.IOException("connection refused"));
        assertThat(result.join().status()).isEqualTo(TierStatus.UNAVAILABLE);
        assertThat(result.join().reason()).isEqualTo("IOException: connection refused");
    }
}
