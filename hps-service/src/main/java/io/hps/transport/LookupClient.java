package io.hps.transport;

import io.hps.transport.tcp.FrameTransports;
import io.netty.buffer.ByteBuf;
import io.rsocket.loadbalance.LoadbalanceRSocketClient;
import io.rsocket.util.ByteBufPayload;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * RSocket client of one or more hps-service replicas: round-robin load balancing over the
 * replicas, keep-alive, reconnection with backoff, and a deadline on every request.
 *
 * <p>Buffer ownership: {@link #lookup} takes over the request frame (it is released once sent or
 * if the request fails before); the returned frame belongs to the subscriber, who must release it.
 * Thread-safe; never blocks.
 */
public final class LookupClient implements AutoCloseable {
    private final LoadbalanceRSocketClient client;
    private final Duration timeout;

    private LookupClient(LoadbalanceRSocketClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /**
     * @param replicas  hps-service RSocket endpoints ({@link Endpoints}: TCP, or shared memory on this host)
     * @param timeout   deadline of each request, from subscription to response
     * @param keepAlive keep-alive interval; a connection silent for 3 intervals is dropped and redialled
     */
    public static LookupClient connect(List<? extends SocketAddress> replicas, Duration timeout, Duration keepAlive) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("at least one hps-service replica is needed");
        }
        return new LookupClient(FrameTransports.loadBalanced(replicas, keepAlive), timeout);
    }

    /**
     * Sends one request frame and emits the response frame (a lookup response or an error frame;
     * tell them apart with {@code FrameHeader.peekType}). Errors: the deadline passed
     * ({@link java.util.concurrent.TimeoutException}) or no replica could be reached.
     */
    public Mono<ByteBuf> lookup(ByteBuf requestFrame) {
        return client.requestResponse(Mono.fromSupplier(() -> ByteBufPayload.create(requestFrame)))
                .timeout(timeout)
                .map(FrameTransports::takeData)
                .doOnDiscard(ByteBuf.class, ByteBuf::release);
    }

    @Override
    public void close() {
        client.dispose();
    }
}
