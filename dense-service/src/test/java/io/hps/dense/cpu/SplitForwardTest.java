package io.hps.dense.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.dense.EmbeddingType;
import io.hps.model.DlrmArchitecture;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The split forward (bottom MLP, then interaction and top MLP) scores exactly as the whole forward. */
class SplitForwardTest {

    @Property(tries = 30)
    void shouldScoreBitForBitAsTheWholeForward(
            @ForAll @IntRange(min = 1, max = 6) int tables,
            @ForAll @IntRange(min = 1, max = 40) int dimension,
            @ForAll @IntRange(min = 1, max = 700) int batch,
            @ForAll @IntRange(min = 1, max = 3) int threads,
            @ForAll long seed) {
        DlrmArchitecture arch = RandomModels.architecture(13, tables, dimension, new int[] {64, 32},
                new int[] {48, 16});
        try (DlrmNetwork network = DlrmNetwork.load(RandomModels.weights(arch, seed), threads)) {
            MemorySegment dense = MemorySegment.ofArray(RandomModels.dense(arch, batch, seed));
            MemorySegment embeddings = MemorySegment.ofArray(RandomModels.embeddings(arch, batch, seed + 1));
            float[] whole = new float[batch];
            network.forward(batch, dense, embeddings, whole);
            float[] bottom = new float[batch * dimension];
            float[] split = new float[batch];
            network.startBottom(batch, dense, bottom).await();
            network.forwardTop(batch, bottom, embeddings, EmbeddingType.FLOAT32, split);
            assertThat(split).containsExactly(whole);
        }
    }

    @Example
    void shouldLetTheCallerWorkWhileTheBottomRunsAndAcceptAnEmptyBatch() {
        DlrmArchitecture arch = RandomModels.criteo();
        try (DlrmNetwork network = DlrmNetwork.load(RandomModels.weights(arch, 3), 2)) {
            int batch = 300;
            MemorySegment dense = MemorySegment.ofArray(RandomModels.dense(arch, batch, 4));
            float[] bottom = new float[batch * arch.embeddingDimension()];
            DlrmNetwork.BottomPass pass = network.startBottom(batch, dense, bottom);
            MemorySegment embeddings = MemorySegment.ofArray(RandomModels.embeddings(arch, batch, 5));
            pass.await();
            float[] split = new float[batch];
            network.forwardTop(batch, bottom, embeddings, EmbeddingType.FLOAT32, split);
            float[] whole = new float[batch];
            network.forward(batch, dense, embeddings, whole);
            assertThat(split).containsExactly(whole);
            network.startBottom(0, dense, bottom).await();
        }
    }
}
