package io.hps.transport;

import io.hps.store.ParameterServer;
import io.hps.transport.tcp.FrameTransports;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The RSocket server of hps-service: a {@link FrameServer} answering lookup request frames with
 * lookup response or error frames ({@link LookupHandler}). Meters:
 * {@code hps.rsocket.lookup.latency}, {@code hps.rsocket.lookup.overloaded},
 * {@code hps.rsocket.lookup.queue.wait}, {@code hps.rsocket.lookup.queue.depth}.
 */
public final class LookupServer implements AutoCloseable {
    /** Largest RSocket frame sent; larger responses are fragmented (see {@link FrameTransports#FRAGMENT_MTU}). */
    public static final int FRAGMENT_MTU = FrameTransports.FRAGMENT_MTU;

    private static final FrameServer.MeterNames METERS = new FrameServer.MeterNames("hps.rsocket.lookup.latency",
            "hps.rsocket.lookup.overloaded", "hps.rsocket.lookup.queue.wait", "hps.rsocket.lookup.queue.depth");

    private final FrameServer server;

    private LookupServer(FrameServer server) {
        this.server = server;
    }

    /** Requests of at most this many keys are answered on the event loop when every tier is in process. */
    public static final int DEFAULT_INLINE_KEYS = 4096;

    /**
     * Binds the server, answering requests of up to {@link #DEFAULT_INLINE_KEYS} keys on the event
     * loop when every tier is in process.
     *
     * @param threads       lookup worker threads
     * @param queue         requests that may wait for a worker
     * @param maxFrameBytes largest inbound payload
     */
    public static LookupServer start(ParameterServer server, String host, int port, int threads, int queue,
                                     int maxFrameBytes, MeterRegistry registry) {
        return start(server, host, port, threads, queue, maxFrameBytes, DEFAULT_INLINE_KEYS, registry);
    }

    /**
     * Binds the server.
     *
     * @param threads       lookup worker threads
     * @param queue         requests that may wait for a worker
     * @param maxFrameBytes largest inbound payload
     * @param inlineKeys    requests of at most this many keys are answered on the event loop when
     *                      every tier is in this process (0: every request goes to a worker)
     */
    public static LookupServer start(ParameterServer server, String host, int port, int threads, int queue,
                                     int maxFrameBytes, int inlineKeys, MeterRegistry registry) {
        return start(server, host, port, threads, queue, maxFrameBytes, inlineKeys, null, registry);
    }

    /**
     * Binds the server on TCP and, when {@code shmSocket} is not null, on shared memory for clients of this host
     * ({@link io.hps.transport.shm.ShmServerTransport}); the other parameters as above.
     */
    public static LookupServer start(ParameterServer server, String host, int port, int threads, int queue,
                                     int maxFrameBytes, int inlineKeys, Path shmSocket, MeterRegistry registry) {
        return new LookupServer(FrameServer.start(new LookupHandler(server, ByteBufAllocator.DEFAULT, inlineKeys),
                new FrameServer.Settings("lookup", host, port, threads, queue, maxFrameBytes, shmSocket), METERS,
                registry));
    }

    /** The bound TCP port (useful when started on port 0). */
    public int port() {
        return server.port();
    }

    /** Stops accepting, lets running lookups finish for up to {@code drain}, then closes. */
    public void close(Duration drain) {
        server.close(drain);
    }

    @Override
    public void close() {
        server.close();
    }
}
