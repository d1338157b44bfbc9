package io.hps.dense.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.dense.gpu.GpuPath;
import io.hps.gpu.GpuException;
import io.hps.gpu.dense.GemmPrecision;
import io.hps.model.DlrmArchitecture;
import io.hps.model.gen.GeneratorSettings;
import io.hps.model.workload.Batch;
import io.hps.wire.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The adapter of a GPU path to the {@link ScoringPath} contract, over a GPU path played on the CPU: inputs reach the
 * batch, scores reach {@code out}, bad input is refused before the device sees it, device failures and deadlines
 * become error codes, meters are recorded.
 */
class GpuScoringPathTest {
    private static final DlrmArchitecture ARCH =
            new GeneratorSettings(Path.of("."), "dlrm", 0.0005, 16, 7, 1, 64).architecture();
    private static final int MAX_BATCH = 128;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** A GPU path played on the caller's thread: records the batches, answers with {@code answer}. */
    private static final class PlayedPath implements GpuPath {
        final List<Batch> batches = new ArrayList<>();
        final Function<Batch, CompletableFuture<float[]>> answer;
        boolean closed;

        PlayedPath(Function<Batch, CompletableFuture<float[]>> answer) {
            this.answer = answer;
        }

        @Override
        public CompletableFuture<float[]> score(Batch batch) {
            batches.add(batch);
            return answer.apply(batch);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Score of sample {@code i}: its second dense feature plus its last key. */
    private static CompletableFuture<float[]> echo(Batch batch) {
        float[] scores = new float[batch.batchSize()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = batch.dense(i, 1) + batch.key(i, ARCH.tableCount() - 1);
        }
        return CompletableFuture.completedFuture(scores);
    }

    private GpuScoringPath path(PlayedPath played, long timeoutMillis) {
        PathSettings settings = PathSettings.defaults("dlrm-gpu", PathKind.NATIVE);
        return new GpuScoringPath(settings, ARCH, MAX_BATCH, new PathMetrics(registry, "dlrm-gpu", PathKind.NATIVE),
                played, null, new GpuSettings(GemmPrecision.TF32, timeoutMillis));
    }

    private static MemorySegment dense(int batch, Arena arena) {
        MemorySegment dense = arena.allocate((long) batch * ARCH.denseFeatures() * Float.BYTES);
        for (long i = 0; i < batch * ARCH.denseFeatures(); i++) {
            dense.setAtIndex(F32, i, i * 0.5f);
        }
        return dense;
    }

    private static MemorySegment keys(int batch, Arena arena) {
        MemorySegment keys = arena.allocate((long) batch * ARCH.tableCount() * Long.BYTES);
        for (long i = 0; i < batch * ARCH.tableCount(); i++) {
            keys.setAtIndex(I64, i, i % 97);
        }
        return keys;
    }

    @Test
    void shouldPassLittleEndianInputsToTheDeviceAndItsScoresToOut() {
        PlayedPath played = new PlayedPath(GpuScoringPathTest::echo);
        try (Arena arena = Arena.ofConfined()) {
            int batch = 5;
            MemorySegment dense = dense(batch, arena);
            MemorySegment keys = keys(batch, arena);
            float[] out = new float[batch + 2];
            out[batch] = -1f;
            path(played, 1000).score(batch, dense, keys, out);
            for (int i = 0; i < batch; i++) {
                float expected = dense.getAtIndex(F32, (long) i * ARCH.denseFeatures() + 1)
                        + keys.getAtIndex(I64, (long) i * ARCH.tableCount() + ARCH.tableCount() - 1);
                assertThat(out[i]).as("sample %d", i).isEqualTo(expected);
            }
            assertThat(out[batch]).as("beyond the batch").isEqualTo(-1f);
            assertThat(played.batches).singleElement().satisfies(b -> {
                assertThat(b.batchSize()).isEqualTo(batch);
                assertThat(b.denseFeatures()).isEqualTo(ARCH.denseFeatures());
                assertThat(b.tableCount()).isEqualTo(ARCH.tableCount());
            });
        }
    }

    @Test
    void shouldRefuseBadInputWithTheCpuPathsCodesBeforeTheDeviceSeesIt() {
        PlayedPath played = new PlayedPath(GpuScoringPathTest::echo);
        GpuScoringPath path = path(played, 1000);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dense = dense(8, arena);
            MemorySegment keys = keys(8, arena);
            dense.setAtIndex(F32, 3L * ARCH.denseFeatures() + 5, Float.NaN);
            assertThatThrownBy(() -> path.score(8, dense, keys, new float[8]))
                    .isInstanceOfSatisfying(ScoringException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                        assertThat(e.getMessage()).contains("sample=3", "feature=5");
                    });
            dense.setAtIndex(F32, 3L * ARCH.denseFeatures() + 5, 1f);
            assertThatThrownBy(() -> path.score(8, dense, keys.asSlice(8), new float[8]))
                    .isInstanceOfSatisfying(ScoringException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
            assertThatThrownBy(() -> path.score(0, dense.asSlice(0, 0), keys.asSlice(0, 0), new float[8]))
                    .isInstanceOfSatisfying(ScoringException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
            int over = MAX_BATCH + 1;
            assertThatThrownBy(() -> path.score(over, dense(over, arena), keys(over, arena), new float[over]))
                    .isInstanceOfSatisfying(ScoringException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_KEYS));
        }
        assertThat(played.batches).isEmpty();
    }

    @Test
    void shouldAnswerDeadlineExceededWhenTheDeviceIsLate() {
        GpuScoringPath path = path(new PlayedPath(b -> new CompletableFuture<>()), 50);
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> path.score(2, dense(2, arena), keys(2, arena), new float[2]))
                    .isInstanceOfSatisfying(ScoringException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
                        assertThat(e.getMessage()).contains("model=dlrm-gpu", "timeoutMillis=50");
                    });
        }
    }

    @Test
    void shouldAnswerInternalWhenTheDeviceFails() {
        GpuScoringPath failing = path(new PlayedPath(b -> CompletableFuture.failedFuture(
                new GpuException("kernel launch failed: code=700"))), 1000);
        GpuScoringPath refusing = path(new PlayedPath(b -> {
            throw new GpuException("batch out of range");
        }), 1000);
        try (Arena arena = Arena.ofConfined()) {
            for (GpuScoringPath path : List.of(failing, refusing)) {
                assertThatThrownBy(() -> path.score(2, dense(2, arena), keys(2, arena), new float[2]))
                        .isInstanceOfSatisfying(ScoringException.class, e -> {
                            assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                            assertThat(e.getMessage()).contains("model=dlrm-gpu").containsAnyOf("code=700",
                                    "batch out of range");
                        });
            }
        }
    }

    @Test
    void shouldRefuseInlineEmbeddingsAsBadRequest() {
        PlayedPath played = new PlayedPath(GpuScoringPathTest::echo);
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> path(played, 1000).scoreEmbeddings(2, dense(2, arena), null, new float[2]))
                    .isInstanceOfSatisfying(ScoringException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                        assertThat(e.getMessage()).contains("serves only keys", "model=dlrm-gpu");
                    });
        }
        assertThat(played.batches).isEmpty();
    }

    @Test
    void shouldRecordComputeLatencyAndBatchSizeUnderTheCpuPathsTags() {
        GpuScoringPath path = path(new PlayedPath(GpuScoringPathTest::echo), 1000);
        try (Arena arena = Arena.ofConfined()) {
            path.score(7, dense(7, arena), keys(7, arena), new float[7]);
        }
        assertThat(path.kind()).isEqualTo(PathKind.NATIVE);
        assertThat(registry.get("dense.compute.latency").tags("model", "dlrm-gpu", "path", "native").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("dense.batch.size").tags("model", "dlrm-gpu", "path", "native").summary()
                .totalAmount()).isEqualTo(7);
    }

    @Test
    void shouldWarmUpOnEveryBatchSizeWithoutRecordingAndCloseTheDevicePath() {
        PlayedPath played = new PlayedPath(GpuScoringPathTest::echo);
        GpuScoringPath path = path(played, 1000);
        path.warmUp(Duration.ZERO);
        assertThat(played.batches).extracting(Batch::batchSize).containsExactly(MAX_BATCH, 64, 1);
        assertThat(registry.get("dense.batch.size").summary().count()).isZero();
        path.close();
        assertThat(played.closed).isTrue();
    }
}
