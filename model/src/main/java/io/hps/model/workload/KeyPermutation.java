package io.hps.model.workload;

/**
 * A fixed pseudo-random bijection of {@code [0, n)} onto itself, so that consecutive ranks (the
 * hottest rows) land on scattered keys. A balanced four-round Feistel network permutes the
 * smallest power of four that holds {@code n}; values that land outside {@code [0, n)} are
 * encrypted again ("cycle walking"), which keeps the map a bijection and costs fewer than four
 * rounds of the network on average. O(1) memory, immutable and thread-safe.
 */
final class KeyPermutation {

    private static final int ROUNDS = 4;

    private final long n;
    private final int halfBits;
    private final long halfMask;
    private final long[] roundKeys = new long[ROUNDS];

    KeyPermutation(long n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("domain size must be >= 1: n=" + n);
        }
        this.n = n;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(n - 1));
        this.halfBits = (bits + 1) / 2;
        this.halfMask = (1L << halfBits) - 1;
        long state = seed;
        for (int i = 0; i < ROUNDS; i++) {
            state += 0x9E3779B97F4A7C15L;
            roundKeys[i] = mix(state);
        }
    }

    /** The image of {@code x}, for {@code 0 <= x < n}. */
    long apply(long x) {
        if (x < 0 || x >= n) {
            throw new IllegalArgumentException("value outside the domain: x=" + x + " n=" + n);
        }
        long y = encrypt(x);
        while (y >= n) {
            y = encrypt(y);
        }
        return y;
    }

    private long encrypt(long x) {
        long left = x >>> halfBits;
        long right = x & halfMask;
        for (int i = 0; i < ROUNDS; i++) {
            long next = left ^ (mix(right ^ roundKeys[i]) & halfMask);
            left = right;
            right = next;
        }
        return (left << halfBits) | right;
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser, as in SplitMix64. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
