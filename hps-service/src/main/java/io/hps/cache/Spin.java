package io.hps.cache;

/** How a seqlock reader or writer waits for a writer: busy-spin briefly, then yield the CPU. */
final class Spin {
    private static final int BUSY_ATTEMPTS = 128;

    private Spin() {
    }

    static void backOff(int attempt) {
        if (attempt < BUSY_ATTEMPTS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
