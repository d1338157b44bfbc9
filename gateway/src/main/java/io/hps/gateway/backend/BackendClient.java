package io.hps.gateway.backend;

import io.hps.transport.tcp.FrameTransports;
import io.netty.buffer.ByteBuf;
import io.rsocket.Payload;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.loadbalance.LoadbalanceRSocketClient;
import io.rsocket.loadbalance.LoadbalanceTarget;
import io.rsocket.loadbalance.RoundRobinLoadbalanceStrategy;
import io.rsocket.util.ByteBufPayload;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * RSocket request-response client of one backend service's replicas: round-robin over them,
 * zero-copy payloads, keep-alive, reconnection with backoff. Cancelling the returned {@code Mono}
 * (a client that went away, a passed deadline) sends RSocket CANCEL to the backend.
 *
 * <p>Buffer ownership: {@link #exchange} takes over the request frame; the emitted response frame
 * belongs to the subscriber. Thread-safe; never blocks.
 */
public final class BackendClient implements AutoCloseable {
    private final LoadbalanceRSocketClient client;
    private final String description;

    private BackendClient(LoadbalanceRSocketClient client, String description) {
        this.client = client;
        this.description = description;
    }

    /**
     * Largest RSocket frame sent: bigger requests (batch 131072 carries 27 MB of keys) go out in
     * fragments the backend reassembles; just under the transport's 16 MiB frame limit.
     */
    static final int FRAGMENT_MTU = (16 << 20) - 1024;

    /** @param keepAlive keep-alive interval; a connection silent for 3 intervals is dropped and redialled */
    public static BackendClient connect(List<InetSocketAddress> replicas, Duration keepAlive) {
        List<LoadbalanceTarget> targets = replicas.stream()
                .map(a -> LoadbalanceTarget.from(a.getHostString() + ":" + a.getPort(),
                        FrameTransports.client(a)))
                .toList();
        RSocketConnector connector = RSocketConnector.create()
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .fragment(FRAGMENT_MTU)
                .keepAlive(keepAlive, keepAlive.multipliedBy(3))
                .reconnect(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(50)).maxBackoff(Duration.ofSeconds(2)));
        LoadbalanceRSocketClient client = LoadbalanceRSocketClient.builder(Flux.just(targets))
                .connector(connector)
                .loadbalanceStrategy(new RoundRobinLoadbalanceStrategy())
                .build();
        return new BackendClient(client, replicas.toString());
    }

    /**
     * Sends one frame and emits the response frame (any type; the caller decodes it). Fails with
     * {@link BackendFailureException}: 504 when {@code timeout} passes, 503 when no replica answers.
     */
    public Mono<ByteBuf> exchange(ByteBuf requestFrame, Duration timeout) {
        return client.requestResponse(Mono.fromSupplier(() -> ByteBufPayload.create(requestFrame)))
                .timeout(timeout)
                .map(BackendClient::takeData)
                .onErrorMap(e -> !(e instanceof BackendFailureException), this::failure)
                .doOnDiscard(ByteBuf.class, ByteBuf::release);
    }

    private BackendFailureException failure(Throwable error) {
        if (error instanceof TimeoutException) {
            return new BackendFailureException(504, "backend did not answer in time: backend=" + description, 0);
        }
        return new BackendFailureException(503, "backend unavailable: backend=" + description + " error=" + error, 1);
    }

    private static ByteBuf takeData(Payload payload) {
        try {
            return payload.data().retain();
        } finally {
            payload.release();
        }
    }

    @Override
    public void close() {
        client.dispose();
    }
}
