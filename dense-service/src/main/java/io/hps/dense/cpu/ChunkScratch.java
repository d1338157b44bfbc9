package io.hps.dense.cpu;

/**
 * Working memory for one chunk of samples: two feature-major activation buffers used in turn as
 * layer input and output, and one sample's interaction vectors. Confined to the worker thread
 * that created it and reused for every chunk it runs, so a forward call allocates nothing.
 */
final class ChunkScratch {

    final float[] first;
    final float[] second;
    final float[] vectors;

    ChunkScratch(int activationRows, int stride, int vectorFloats) {
        this.first = new float[activationRows * stride];
        this.second = new float[activationRows * stride];
        this.vectors = new float[vectorFloats];
    }
}
