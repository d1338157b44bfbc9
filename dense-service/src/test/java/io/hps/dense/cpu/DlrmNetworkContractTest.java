package io.hps.dense.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.dense.EmbeddingType;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DlrmNetworkContractTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Two computations of the same score: equal but for the order of lane reductions, which the
     * Vector API leaves open (it differs between interpreted and compiled code).
     */
    private static final Offset<Float> SAME_SCORE = Offset.offset(1e-6f);

    private final DlrmArchitecture arch =
            RandomModels.architecture(13, 7, 32, new int[] {64, 48}, new int[] {100, 37});
    private final DlrmWeights weights = RandomModels.weights(arch, 3);
    private DlrmNetwork network;

    @BeforeEach
    void load() {
        network = DlrmNetwork.load(weights, 3);
    }

    @AfterEach
    void close() {
        network.close();
    }

    @Test
    void shouldScoreSegmentsExactlyAsArrays() {
        int batch = 333;
        float[] dense = RandomModels.dense(arch, batch, 1);
        float[] embeddings = RandomModels.embeddings(arch, batch, 2);
        float[] fromArrays = new float[batch];
        float[] fromSegments = new float[batch];
        network.forward(batch, dense, embeddings, fromArrays);
        try (Arena arena = Arena.ofShared()) {
            network.forward(batch, floats(arena, dense), floats(arena, embeddings), fromSegments);
        }
        assertThat(fromSegments).containsExactly(fromArrays, SAME_SCORE);
    }

    @Test
    void shouldWidenHalfPrecisionEmbeddings() {
        int batch = 50;
        float[] dense = RandomModels.dense(arch, batch, 4);
        float[] embeddings = RandomModels.embeddings(arch, batch, 5);
        float[] halfRounded = new float[embeddings.length];
        float[] bfloatRounded = new float[embeddings.length];
        for (int i = 0; i < embeddings.length; i++) {
            halfRounded[i] = Float.float16ToFloat(Float.floatToFloat16(embeddings[i]));
            bfloatRounded[i] = Float.intBitsToFloat(Float.floatToRawIntBits(embeddings[i]) & 0xFFFF0000);
        }
        float[] expectedHalf = new float[batch];
        float[] expectedBfloat = new float[batch];
        network.forward(batch, dense, halfRounded, expectedHalf);
        network.forward(batch, dense, bfloatRounded, expectedBfloat);
        float[] half = new float[batch];
        float[] bfloat = new float[batch];
        try (Arena arena = Arena.ofShared()) {
            MemorySegment halfSegment = arena.allocate((long) embeddings.length * Short.BYTES);
            MemorySegment bfloatSegment = arena.allocate((long) embeddings.length * Short.BYTES);
            for (int i = 0; i < embeddings.length; i++) {
                halfSegment.setAtIndex(I16, i, Float.floatToFloat16(embeddings[i]));
                bfloatSegment.setAtIndex(I16, i, (short) (Float.floatToRawIntBits(embeddings[i]) >>> 16));
            }
            MemorySegment denseSegment = floats(arena, dense);
            network.forward(batch, denseSegment, halfSegment, EmbeddingType.FLOAT16, half);
            network.forward(batch, denseSegment, bfloatSegment, EmbeddingType.BFLOAT16, bfloat);
        }
        assertThat(half).containsExactly(expectedHalf, SAME_SCORE);
        assertThat(bfloat).containsExactly(expectedBfloat, SAME_SCORE);
    }

    @Test
    void shouldGiveEachConcurrentCallerItsOwnScores() throws Exception {
        int callers = 4;
        int[] batches = {1, 17, 200, 1000};
        List<float[]> dense = new ArrayList<>();
        List<float[]> embeddings = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            dense.add(RandomModels.dense(arch, batches[c], 10 + c));
            embeddings.add(RandomModels.embeddings(arch, batches[c], 20 + c));
            float[] out = new float[batches[c]];
            network.forward(batches[c], dense.get(c), embeddings.get(c), out);
            expected.add(out);
        }
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                calls.add(pool.submit(() -> {
                    for (int round = 0; round < 30; round++) {
                        float[] out = new float[batches[caller]];
                        network.forward(batches[caller], dense.get(caller), embeddings.get(caller), out);
                        assertThat(out).as("caller %d round %d", caller, round)
                                .containsExactly(expected.get(caller), SAME_SCORE);
                    }
                    return null;
                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldScoreAsBeforeAfterWarmUp() {
        int batch = 9;
        float[] dense = RandomModels.dense(arch, batch, 7);
        float[] embeddings = RandomModels.embeddings(arch, batch, 8);
        float[] before = new float[batch];
        network.forward(batch, dense, embeddings, before);
        network.warmUp(Duration.ofMillis(200));
        float[] after = new float[batch];
        network.forward(batch, dense, embeddings, after);
        assertThat(after).containsExactly(before, SAME_SCORE);
    }

    @Test
    void shouldLeaveOutputUntouchedForEmptyBatch() {
        float[] out = {42f};
        network.forward(0, new float[0], new float[0], out);
        assertThat(out).containsExactly(42f);
    }

    @Test
    void shouldWriteOnlyTheFirstBatchEntriesOfLargerBuffers() {
        int batch = 5;
        float[] dense = RandomModels.dense(arch, batch + 3, 1);
        float[] embeddings = RandomModels.embeddings(arch, batch + 3, 2);
        float[] out = new float[batch + 2];
        out[batch] = -1f;
        out[batch + 1] = -1f;
        network.forward(batch, dense, embeddings, out);
        assertThat(out[batch]).isEqualTo(-1f);
        assertThat(out[batch + 1]).isEqualTo(-1f);
        assertThat(out[batch - 1]).isBetween(0f, 1f);
    }

    @Test
    void shouldRejectShortInputsWithTheirSizes() {
        int batch = 4;
        float[] dense = RandomModels.dense(arch, batch, 1);
        float[] embeddings = RandomModels.embeddings(arch, batch, 2);
        assertThatThrownBy(() -> network.forward(batch, new float[13], embeddings, new float[batch]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dense too short: length=13 needed=52");
        assertThatThrownBy(() -> network.forward(batch, dense, new float[10], new float[batch]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embeddings too short: length=10");
        assertThatThrownBy(() -> network.forward(batch, dense, embeddings, new float[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out too short: length=3 batch=4");
        assertThatThrownBy(() -> network.forward(-1, dense, embeddings, new float[batch]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch=-1");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment halfSized = arena.allocate((long) embeddings.length * Short.BYTES);
            assertThatThrownBy(() -> network.forward(batch, floats(arena, dense), halfSized, new float[batch]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("embeddings segment too short")
                    .hasMessageContaining("type=FLOAT32");
        }
    }

    @Test
    void shouldReportAWorkerFailureToTheCaller() {
        int batch = 3;
        float[] dense = RandomModels.dense(arch, batch, 1);
        Arena arena = Arena.ofShared();
        MemorySegment embeddings = floats(arena, RandomModels.embeddings(arch, batch, 2));
        MemorySegment denseSegment = floats(arena, dense);
        arena.close();
        assertThatThrownBy(() -> network.forward(batch, denseSegment, embeddings, new float[batch]))
                .isInstanceOf(ForwardFailedException.class)
                .hasMessageContaining("batch=3")
                .hasCauseInstanceOf(IllegalStateException.class);
        float[] out = new float[batch];
        network.forward(batch, dense, RandomModels.embeddings(arch, batch, 2), out);
        for (float p : out) {
            assertThat(p).isBetween(0f, 1f);
        }
    }

    @Test
    void shouldRejectSegmentsConfinedToTheCaller() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dense = floats(arena, RandomModels.dense(arch, 1, 1));
            MemorySegment embeddings = floats(arena, RandomModels.embeddings(arch, 1, 2));
            assertThatThrownBy(() -> network.forward(1, dense, embeddings, new float[1]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("segments must be readable by the worker threads");
        }
    }

    @Test
    void shouldRefuseCallsAfterClose() {
        network.close();
        network.close();
        assertThatThrownBy(() -> network.forward(1, new float[13], new float[7 * 32], new float[1]))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("network is closed");
    }

    @Test
    void shouldRejectNoThreads() {
        assertThatThrownBy(() -> DlrmNetwork.load(weights, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be >= 1: threads=0");
    }

    private static MemorySegment floats(Arena arena, float[] values) {
        MemorySegment segment = arena.allocate((long) values.length * Float.BYTES);
        for (int i = 0; i < values.length; i++) {
            segment.setAtIndex(F32, i, values[i]);
        }
        return segment;
    }
}
