package io.hps.dense.cpu;

/**
 * Working memory for one chunk of samples: two feature-major activation buffers, used in turn as
 * layer input and output, in one array ({@link #act}: the first at 0, the second at
 * {@link #second}), and one sample's interaction vectors. Confined to the worker thread that
 * created it and reused for every chunk it runs, so a forward call allocates nothing.
 *
 * <p>Why one array: a layer loads 64-byte vectors from one buffer while it stores to the other,
 * and a load whose address matches a recent store's in the low 12 bits waits for that store
 * (4 KiB aliasing). With two separate arrays their distance was wherever the allocator and the
 * collector had put them, and a buffer of 1024 rows of 640 bytes is a whole number of 4 KiB
 * pages: when the two lay back to back, every 32nd row of one aliased rows of the other, and the
 * forward ran at half speed in some JVMs and not in others. In one array the distance is fixed
 * at {@code 64 (mod 128)} bytes modulo 4 KiB, so no 64-byte access at a multiple of 64 bytes into
 * one buffer (every vector access is) overlaps the low 12 bits of one into the other.
 */
final class ChunkScratch {

    /** Both activation buffers: the first at index 0, the second at {@link #second}. */
    final float[] act;
    /** Index of the second buffer in {@link #act}. */
    final int second;
    final float[] vectors;

    ChunkScratch(int activationRows, int stride, int vectorFloats) {
        this.second = secondOffset(activationRows * stride);
        this.act = new float[second + activationRows * stride];
        this.vectors = new float[vectorFloats];
    }

    /**
     * The smallest index at or after {@code bufferFloats} whose byte distance from index 0 is
     * 64 modulo 128 and at least 2 KiB away from a multiple of 4 KiB.
     */
    static int secondOffset(int bufferFloats) {
        int page = 4096 / Float.BYTES;
        int target = (2048 + 64) / Float.BYTES;
        int mod = bufferFloats % page;
        return bufferFloats + Math.floorMod(target - mod, page);
    }
}
