package io.hps.cache;

/** The 64-bit key hash of the CPU caches: Murmur3's finalizer, which spreads sequential keys. */
final class KeyHash {
    private KeyHash() {
    }

    static long mix(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Maps a key uniformly onto {@code [0, buckets)} without a division. */
    static int bucket(long key, int buckets) {
        return (int) Math.unsignedMultiplyHigh(mix(key), buckets);
    }
}
