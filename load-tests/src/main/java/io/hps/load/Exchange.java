package io.hps.load;

/**
 * One worker's way to send an inference request and wait for its answer. Owned by one worker
 * thread; never shared.
 */
interface Exchange extends AutoCloseable {
    /**
     * Sends {@code body} and waits for the answer.
     *
     * @return true for a successful answer, false for an error answer or a failed exchange
     */
    boolean send(byte[] body) throws InterruptedException;

    @Override
    void close();
}
