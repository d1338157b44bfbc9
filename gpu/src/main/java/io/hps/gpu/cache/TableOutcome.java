package io.hps.gpu.cache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What the last operation of a {@link DeviceHashTable} did, as its kernels counted it on the device.
 *
 * @param inserted keys that became resident (replace)
 * @param evicted resident keys pushed out to make room (replace, evicting tables)
 * @param matched resident keys overwritten (update) or removed (invalidate; a repeated key counts once)
 * @param missed keys not found (query); also the number of miss indices written
 * @param firstRejected the lowest batch index of a key a static table had no row for (replace), or -1
 * @param dumped keys written by a dump
 * @param rowsUsed vector rows a static table has handed out since it was created or cleared
 */
public record TableOutcome(int inserted, int evicted, int matched, int missed, int firstRejected, int dumped,
                           int rowsUsed) {
    /** Bytes of the outcome words on the device and in the pinned copy. */
    public static final int BYTES = 8 * Integer.BYTES;

    static final int INSERTED = 0;
    static final int EVICTED = 1;
    static final int MATCHED = 2;
    static final int MISSED = 3;
    static final int FIRST_REJECTED = 4;
    static final int DUMPED = 5;
    static final int ROWS_USED = 6;
    /**
     * The words an operation zeroes before it runs: all but {@link #ROWS_USED}. {@link #FIRST_REJECTED} holds the
     * complement of the index ({@code atomicMax} keeps the lowest index), so zero reads as -1, none.
     */
    static final int PER_OPERATION_WORDS = 6;

    /** Reads the words copied by {@link DeviceHashTable#copyOutcomeAsync}; the stream must have passed the copy. */
    public static TableOutcome read(MemorySegment words) {
        return new TableOutcome(word(words, INSERTED), word(words, EVICTED), word(words, MATCHED),
                word(words, MISSED), ~word(words, FIRST_REJECTED), word(words, DUMPED), word(words, ROWS_USED));
    }

    /** Whether a static table rejected a key for want of rows. */
    public boolean rejected() {
        return firstRejected >= 0;
    }

    private static int word(MemorySegment words, int index) {
        return words.getAtIndex(ValueLayout.JAVA_INT, index);
    }
}
