package io.hps.wire;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddingBlockTest {

    @Test
    void shouldComputeVectorBytesFromRowsDimsAndDtype() {
        EmbeddingBlock unique = EmbeddingBlock.unique(VectorDtype.BF16, new int[] {4, 2}, new int[] {5, 3}, new int[] {2, 3});
        assertThat(unique.vectorBytes()).isEqualTo((2 * 4 + 3 * 2) * 2);
        assertThat(unique.totalKeys()).isEqualTo(8);
        assertThat(EmbeddingBlock.sampleMajor(VectorDtype.F32, 131072, 26, 128).vectorBytes())
                .as("the seed benchmark's 1.74 GB").isEqualTo(1_744_830_464L);
    }

    @Test
    void shouldCopyArraysInAndOut() {
        int[] dims = {4};
        EmbeddingBlock block = EmbeddingBlock.tableMajor(VectorDtype.F32, dims, new int[] {1});
        dims[0] = 8;
        block.dims()[0] = 9;
        assertThat(block.dims()).containsExactly(4);
        assertThat(block).isEqualTo(EmbeddingBlock.tableMajor(VectorDtype.F32, new int[] {4}, new int[] {1}));
    }

    @Test
    void shouldRejectInconsistentShapes() {
        assertThatThrownBy(() -> new EmbeddingBlock(VectorDtype.F32, EmbeddingLayout.SAMPLE_MAJOR, new int[] {4, 8},
                new int[] {2, 2}, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SAMPLE_MAJOR needs one dim and one key count");
        assertThatThrownBy(() -> EmbeddingBlock.unique(VectorDtype.F32, new int[] {4}, new int[] {2}, new int[] {3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unique count invalid: table=0 unique=3 keys=2");
        assertThatThrownBy(() -> EmbeddingBlock.tableMajor(VectorDtype.F32, new int[] {0}, new int[] {2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("table shape invalid: table=0 dim=0 keyCount=2");
    }

    @Test
    void shouldRejectHandleWhoseLengthIsNotTheVectorBytes() {
        EmbeddingBlock block = EmbeddingBlock.tableMajor(VectorDtype.F16, new int[] {4}, new int[] {2});
        assertThatThrownBy(() -> block.withHandle(new VectorHandle.SharedMemory("/v", 0, 17)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("handle length differs from vector bytes: handleLength=17 vectorBytes=16");
        assertThat(block.withHandle(new VectorHandle.SharedMemory("/v", 0, 16)).storage())
                .isEqualTo(VectorStorage.SHARED_MEMORY);
    }
}
