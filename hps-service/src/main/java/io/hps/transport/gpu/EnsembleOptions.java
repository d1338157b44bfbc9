package io.hps.transport.gpu;

/**
 * How the two sides of the same-host ensemble wait for each other.
 *
 * @param deviceWait          the client sends its request as soon as the key upload is enqueued and the server's
 *                            stream waits for it on the device (interprocess event); false: the client synchronises
 *                            its stream before it sends
 * @param eventLoopSpinMicros microseconds the RSocket event loop polls after its last event before it sleeps
 *                            ({@link SpinningEventLoop}), and a shared-memory connection polls as long; 0 keeps
 *                            reactor-netty's default loops and the shared-memory default
 * @param bottomDuringLookup  the client enqueues the bottom MLP (which needs only the dense features) right after
 *                            sending the request, so the device runs it while the lookup is away; false: the whole
 *                            forward is enqueued when the response is in
 */
public record EnsembleOptions(boolean deviceWait, long eventLoopSpinMicros, boolean bottomDuringLookup) {

    /** Device wait, 2 ms of polling (longer than a request's round trip), the bottom MLP during the lookup. */
    public static final EnsembleOptions DEFAULTS = new EnsembleOptions(true, 2000, true);

    /** With the bottom MLP during the lookup. */
    public EnsembleOptions(boolean deviceWait, long eventLoopSpinMicros) {
        this(deviceWait, eventLoopSpinMicros, true);
    }

    public EnsembleOptions {
        if (eventLoopSpinMicros < 0) {
            throw new IllegalArgumentException("eventLoopSpinMicros must be >= 0: eventLoopSpinMicros="
                    + eventLoopSpinMicros);
        }
    }
}
