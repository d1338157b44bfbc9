package io.hps.tier;

import io.hps.testing.RedisProcess;
import io.hps.testing.SimpleLeakDetection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The Redis tier when its server dies and comes back: error values by the deadline, never a hang, then recovery. */
@ExtendWith(SimpleLeakDetection.class)
class RedisTierFaultTest {
    private static final TierTable TABLE = new TierTable("fault", "t", 4);
    private static final long[] KEYS = {1, 2, 3, 4, 5, 6, 7, 8};
    private static final long CALL_DEADLINE_MILLIS = 300;
    /** Far beyond any deadline: a call that takes longer than this has hung. */
    private static final long HANG_MILLIS = CALL_DEADLINE_MILLIS + 2_000;

    private RedisProcess redis;
    private RedisTier tier;
    private Arena arena;
    private MemorySegment vectors;

    @BeforeEach
    void start() {
        redis = RedisProcess.start();
        tier = RedisTier.connect(new RedisTierSettings(List.of(redis.address()), false, 4, 1000,
                100, 0, 5, 2000, 50, 200, 2, 1, 1, "", "", Long.MAX_VALUE, 0.8));
        arena = Arena.ofShared();
        vectors = arena.allocate(KEYS.length * 16L);
        for (int i = 0; i < KEYS.length * 4; i++) {
            vectors.setAtIndex(ValueLayout.JAVA_FLOAT, i, i * 0.5f);
        }
    }

    @AfterEach
    void stop() {
        tier.close();
        redis.close();
        arena.close();
    }

    private static Deadline callDeadline() {
        return Deadline.after(Duration.ofMillis(CALL_DEADLINE_MILLIS));
    }

    /** Runs {@code call}, asserting it returned well before a hang would show. */
    private static TierResult timed(Supplier<TierResult> call) {
        long start = System.nanoTime();
        TierResult result = call.get();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("call duration, ms").isLessThan(HANG_MILLIS);
        return result;
    }

    private TierResult awaitRecovery() throws InterruptedException {
        TierResult result = TierResult.unavailable(0, "not tried");
        for (int attempt = 0; attempt < 200 && !result.isOk(); attempt++) {
            result = timed(() -> tier.put(TABLE, KEYS, KEYS.length, vectors, callDeadline()));
            Thread.sleep(50);
        }
        return result;
    }

    @Test
    void shouldAnswerWithErrorValuesWhileTheServerIsDownAndRecoverAfterRestart() {
        assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
            assertThat(tier.put(TABLE, KEYS, KEYS.length, vectors, Deadline.after(Duration.ofSeconds(10))).isOk()).isTrue();

            redis.kill();

            Set<TierStatus> seen = EnumSet.noneOf(TierStatus.class);
            for (int call = 0; call < 5; call++) {
                MemorySegment out = arena.allocate(KEYS.length * 16L);
                boolean[] found = new boolean[KEYS.length];
                TierResult sync = timed(() -> tier.get(TABLE, KEYS, KEYS.length, out, found, callDeadline()));
                TierResult async = timed(() -> tier.getAsync(TABLE, KEYS, KEYS.length, out, found, callDeadline()).join());
                TierResult size = timed(() -> tier.size(TABLE, callDeadline()));
                seen.add(sync.status());
                seen.add(async.status());
                seen.add(size.status());
                assertThat(found).containsOnly(false);
                assertThat(out.mismatch(arena.allocate(KEYS.length * 16L))).isEqualTo(-1L);
            }
            assertThat(seen).isNotEmpty().doesNotContain(TierStatus.OK);

            redis.restart();

            assertThat(awaitRecovery().isOk()).isTrue();
            MemorySegment out = arena.allocate(KEYS.length * 16L);
            boolean[] found = new boolean[KEYS.length];
            assertThat(tier.get(TABLE, KEYS, KEYS.length, out, found, Deadline.after(Duration.ofSeconds(10))))
                    .isEqualTo(TierResult.ok(KEYS.length));
            assertThat(out.mismatch(vectors)).isEqualTo(-1L);
        });
    }

    /**
     * A stopped (SIGSTOP) server keeps its connections open and never answers: only the tier's
     * deadline can end the call, and the reply that arrives after the server resumes must not
     * touch the caller's buffers.
     */
    @Test
    void shouldEndCallsToAFrozenServerAtTheDeadlineAndDropLateReplies() {
        tier.close();
        tier = RedisTier.connect(new RedisTierSettings(List.of(redis.address()), false, 4, 1000,
                20_000, 0, 5, 2000, 50, 0, 2, 1, 1, "", "", Long.MAX_VALUE, 0.8));
        assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
            assertThat(tier.put(TABLE, KEYS, KEYS.length, vectors, Deadline.after(Duration.ofSeconds(10))).isOk()).isTrue();
            MemorySegment out = arena.allocate(KEYS.length * 16L);
            boolean[] found = new boolean[KEYS.length];

            redis.freeze();
            TierResult sync = timed(() -> tier.get(TABLE, KEYS, KEYS.length, out, found, callDeadline()));
            TierResult async = timed(() -> tier.getAsync(TABLE, KEYS, KEYS.length, out, found, callDeadline()).join());
            redis.thaw();

            assertThat(sync.status()).isEqualTo(TierStatus.DEADLINE_EXCEEDED);
            assertThat(async.status()).isEqualTo(TierStatus.DEADLINE_EXCEEDED);
            assertThat(tier.size(TABLE, Deadline.after(Duration.ofSeconds(10)))).isEqualTo(TierResult.ok(KEYS.length));
            assertThat(found).containsOnly(false);
            assertThat(out.mismatch(arena.allocate(KEYS.length * 16L))).isEqualTo(-1L);
        });
    }

    @Test
    void shouldRefuseToStartWithoutAServer() {
        redis.kill();
        RedisTierSettings settings = new RedisTierSettings(List.of(redis.address()), false, 4, 1000,
                100, 0, 5, 2000, 50, 200, 2, 1, 1, "", "", Long.MAX_VALUE, 0.8);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try {
                RedisTier.connect(settings).close();
                throw new AssertionError("connect succeeded without a server");
            } catch (TierStartException e) {
                assertThat(e).hasMessageContaining("nodes=[" + redis.address() + "]");
            }
        });
    }
}
