package io.hps.model.gen;

import java.util.SplittableRandom;

/**
 * Independent, reproducible random streams derived from the generator seed: one per embedding
 * chunk and one per dense layer, so the output does not depend on which thread draws which stream.
 */
final class RandomStreams {

    private static final long DENSE_STREAM = -1;

    private RandomStreams() {
    }

    /** Stream for chunk {@code chunk} ({@link EmbeddingChunks#CHUNK_ROWS} rows) of table {@code table}. */
    static SplittableRandom embeddingChunk(long seed, int table, long chunk) {
        return new SplittableRandom(derive(seed, table, chunk));
    }

    /** Stream for layer {@code layer} of MLP {@code mlp} (0 bottom, 1 top). */
    static SplittableRandom denseLayer(long seed, int mlp, int layer) {
        return new SplittableRandom(derive(seed, DENSE_STREAM - mlp, layer));
    }

    private static long derive(long seed, long a, long b) {
        return mix(mix(mix(seed) + a) + b);
    }

    /** SplitMix64's finaliser applied after adding the golden-ratio increment. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
