package io.hps.transport.gpu;

/**
 * How the two sides of the same-host ensemble wait for each other.
 *
 * @param deviceWait          the client sends its request as soon as the key upload is enqueued and the server's
 *                            stream waits for it on the device (interprocess event); false: the client synchronises
 *                            its stream before it sends
 * @param eventLoopSpinMicros microseconds the RSocket event loop polls after its last event before it sleeps
 *                            ({@link SpinningEventLoop}); 0 keeps reactor-netty's default loops
 */
public record EnsembleOptions(boolean deviceWait, long eventLoopSpinMicros) {

    /** Device wait and 2 ms of event-loop polling: longer than a request's round trip. */
    public static final EnsembleOptions DEFAULTS = new EnsembleOptions(true, 2000);

    public EnsembleOptions {
        if (eventLoopSpinMicros < 0) {
            throw new IllegalArgumentException("eventLoopSpinMicros must be >= 0: eventLoopSpinMicros="
                    + eventLoopSpinMicros);
        }
    }
}
