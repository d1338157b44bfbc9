package io.hps.dense.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.model.workload.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Requests reach the wrapped path one after another, in call order, whatever the previous one's outcome. */
class SerialGpuPathTest {

    /** Answers each batch with a future the test completes. */
    static final class Played implements GpuPath {
        final List<CompletableFuture<float[]>> pending = new ArrayList<>();
        final List<Batch> seen = new ArrayList<>();
        boolean closed;

        @Override
        public synchronized CompletableFuture<float[]> score(Batch batch) {
            seen.add(batch);
            pending.add(new CompletableFuture<>());
            return pending.getLast();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static Batch batch(int size) {
        return new Batch(size, new float[size], new long[size]);
    }

    @Test
    void shouldStartTheNextRequestOnlyWhenThePreviousOneCompleted() {
        Played played = new Played();
        SerialGpuPath path = new SerialGpuPath(played);
        Batch first = batch(1);
        Batch second = batch(2);
        Batch third = batch(3);
        CompletableFuture<float[]> a = path.score(first);
        CompletableFuture<float[]> b = path.score(second);
        CompletableFuture<float[]> c = path.score(third);
        assertThat(played.seen).containsExactly(first);
        played.pending.get(0).complete(new float[] {1f});
        assertThat(played.seen).containsExactly(first, second);
        assertThat(a.join()).containsExactly(1f);
        assertThat(b).isNotDone();
        played.pending.get(1).completeExceptionally(new IllegalStateException("device fault"));
        assertThat(played.seen).containsExactly(first, second, third);
        assertThat(b).isCompletedExceptionally();
        played.pending.get(2).complete(new float[] {3f, 3f, 3f});
        assertThat(c.join()).containsExactly(3f, 3f, 3f);
    }

    @Test
    void shouldReportAFailureOfTheWrappedPathToItsOwnCallerOnly() {
        Played played = new Played();
        SerialGpuPath path = new SerialGpuPath(played);
        CompletableFuture<float[]> a = path.score(batch(1));
        played.pending.get(0).completeExceptionally(new IllegalStateException("device fault"));
        CompletableFuture<float[]> b = path.score(batch(1));
        played.pending.get(1).complete(new float[] {2f});
        assertThat(a.handle((s, e) -> e)).succeedsWithin(java.time.Duration.ZERO)
                .isInstanceOf(CompletionException.class);
        assertThat(b.join()).containsExactly(2f);
        path.close();
        assertThat(played.closed).isTrue();
    }
}
