package io.hps.cache;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Checks the arguments of a batch operation before any key is touched. */
final class BatchArguments {
    private BatchArguments() {
    }

    static void checkKeys(long[] keys, int offset, int count) {
        Objects.requireNonNull(keys, "keys");
        Objects.checkFromIndexSize(offset, count, keys.length);
    }

    static void checkRows(MemorySegment rows, long offsetBytes, int count, long rowBytes) {
        Objects.requireNonNull(rows, "vector segment");
        long needed = count * rowBytes;
        if (offsetBytes < 0 || rows.byteSize() - offsetBytes < needed) {
            throw new IllegalArgumentException("vector segment too small: byteSize=" + rows.byteSize()
                    + " offsetBytes=" + offsetBytes + " rows=" + count + " rowBytes=" + rowBytes);
        }
    }

    static void checkMisses(MissList misses, int count) {
        Objects.requireNonNull(misses, "misses");
        if (misses.maxCount() < count) {
            throw new IllegalArgumentException(
                    "miss list too small: maxCount=" + misses.maxCount() + " keyCount=" + count);
        }
    }

    static void checkQuery(long[] keys, int offset, int count, MemorySegment out, long outOffsetBytes,
            long rowBytes, MissList misses) {
        checkKeys(keys, offset, count);
        checkRows(out, outOffsetBytes, count, rowBytes);
        checkMisses(misses, count);
    }

    static void checkWrite(long[] keys, int offset, int count, MemorySegment vectors, long vectorsOffsetBytes,
            long rowBytes) {
        checkKeys(keys, offset, count);
        checkRows(vectors, vectorsOffsetBytes, count, rowBytes);
    }
}
