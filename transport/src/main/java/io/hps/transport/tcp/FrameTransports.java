package io.hps.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.rsocket.Payload;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.loadbalance.LoadbalanceRSocketClient;
import io.rsocket.loadbalance.LoadbalanceTarget;
import io.rsocket.loadbalance.RoundRobinLoadbalanceStrategy;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.hps.transport.Endpoints;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;
import reactor.util.retry.Retry;

/**
 * RSocket TCP transports for the services' binary frames: RSocket's own, with a
 * {@link FrameAssembler} in front of its length decoder on every connection so that large frames
 * arrive in one buffer of their size, copied once, from {@link FrameBuffers#SHARED}; and the
 * load-balanced client the services' requesters share.
 */
public final class FrameTransports {
    /** RSocket's TCP frame length limit: a 3-byte length. */
    public static final int MAX_FRAME_LENGTH = (1 << 24) - 1;

    /**
     * Largest RSocket frame sent: bigger payloads (a lookup of 16384 samples x 26 tables x 128
     * floats is 218 MB) go out in fragments that the peer reassembles. Just under the frame
     * limit, so that every payload that fits one frame stays one frame.
     */
    public static final int FRAGMENT_MTU = (16 << 20) - 1024;

    private FrameTransports() {
    }

    /** A client transport to {@code address}. */
    public static TcpClientTransport client(InetSocketAddress address) {
        return client(TcpClient.create().remoteAddress(() -> address));
    }

    /** A client transport over {@code tcp} (which names the address and may set loops or options). */
    public static TcpClientTransport client(TcpClient tcp) {
        return TcpClientTransport.create(tcp.doOnConnected(FrameTransports::install), MAX_FRAME_LENGTH);
    }

    /** A server transport bound to {@code host:port}. */
    public static TcpServerTransport server(String host, int port) {
        return server(TcpServer.create().host(host).port(port));
    }

    /** A server transport over {@code tcp} (which names the address and may set loops or options). */
    public static TcpServerTransport server(TcpServer tcp) {
        return TcpServerTransport.create(tcp.doOnConnection(FrameTransports::install), MAX_FRAME_LENGTH);
    }

    /**
     * A request-response client of {@code replicas} ({@link Endpoints}: TCP through
     * {@link #client(InetSocketAddress)} or shared memory):
     * round-robin over the replicas, zero-copy payloads, fragments above {@link #FRAGMENT_MTU},
     * keep-alive every {@code keepAlive} (a connection silent for three intervals is dropped and
     * redialled), reconnection with backoff from 50 ms to 2 s.
     */
    public static LoadbalanceRSocketClient loadBalanced(List<? extends SocketAddress> replicas,
                                                        Duration keepAlive) {
        List<LoadbalanceTarget> targets = replicas.stream()
                .map(a -> LoadbalanceTarget.from(Endpoints.format(a), Endpoints.client(a)))
                .toList();
        RSocketConnector connector = RSocketConnector.create()
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .fragment(FRAGMENT_MTU)
                .keepAlive(keepAlive, keepAlive.multipliedBy(3))
                .reconnect(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(50)).maxBackoff(Duration.ofSeconds(2)));
        return LoadbalanceRSocketClient.builder(Flux.just(targets))
                .connector(connector)
                .loadbalanceStrategy(new RoundRobinLoadbalanceStrategy())
                .build();
    }

    /** The payload's data, retained, with the payload itself released: the frame becomes the caller's. */
    public static ByteBuf takeData(Payload payload) {
        try {
            return payload.data().retain();
        } finally {
            payload.release();
        }
    }

    /** Adds the assembler; the transport adds RSocket's length decoder after it. */
    private static void install(Connection connection) {
        connection.addHandlerLast("hps.frameAssembler", new FrameAssembler(FrameBuffers.SHARED, MAX_FRAME_LENGTH));
    }
}
