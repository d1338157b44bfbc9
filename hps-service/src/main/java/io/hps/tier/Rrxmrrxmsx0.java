package io.hps.tier;

/**
 * Pelle Evensen's rrxmrrxmsx_0 64-bit mixer, the hash HugeCTR's database backends use to spread
 * keys over partitions. Keys are treated as unsigned 64-bit values; the partition index is the
 * unsigned remainder, so a key lands in the same partition (and the same Redis hash) as in
 * HugeCTR. Stateless and thread-safe.
 */
public final class Rrxmrrxmsx0 {
    private static final long MULTIPLIER_1 = 0xA24BAED4963EE407L;
    private static final long MULTIPLIER_2 = 0x9FB21C651E98DF25L;

    private Rrxmrrxmsx0() {
    }

    /** Mixes {@code key} (as unsigned 64 bits) into a 64-bit hash. */
    public static long hash(long key) {
        long x = key ^ Long.rotateRight(key, 25) ^ Long.rotateRight(key, 50);
        x *= MULTIPLIER_1;
        x ^= Long.rotateRight(x, 24) ^ Long.rotateRight(x, 49);
        x *= MULTIPLIER_2;
        return x ^ (x >>> 28);
    }

    /** Partition of {@code key}: {@code hash(key) mod partitions}, unsigned, in {@code [0, partitions)}. */
    public static int partition(long key, int partitions) {
        return (int) Long.remainderUnsigned(hash(key), partitions);
    }
}
