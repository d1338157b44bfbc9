package io.hps.gateway.backend;

import io.hps.transport.tcp.FrameTransports;
import io.netty.buffer.ByteBuf;
import io.rsocket.loadbalance.LoadbalanceRSocketClient;
import io.rsocket.util.ByteBufPayload;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

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

    /** @param keepAlive keep-alive interval; a connection silent for 3 intervals is dropped and redialled */
    public static BackendClient connect(List<InetSocketAddress> replicas, Duration keepAlive) {
        return new BackendClient(FrameTransports.loadBalanced(replicas, keepAlive), replicas.toString());
    }

    /**
     * Sends one frame and emits the response frame (any type; the caller decodes it). Fails with
     * {@link BackendFailureException}: 504 when {@code timeout} passes, 503 when no replica answers.
     */
    public Mono<ByteBuf> exchange(ByteBuf requestFrame, Duration timeout) {
        return client.requestResponse(Mono.fromSupplier(() -> ByteBufPayload.create(requestFrame)))
                .timeout(timeout)
                .map(FrameTransports::takeData)
                .onErrorMap(e -> !(e instanceof BackendFailureException), this::failure)
                .doOnDiscard(ByteBuf.class, ByteBuf::release);
    }

    private BackendFailureException failure(Throwable error) {
        if (error instanceof TimeoutException) {
            return new BackendFailureException(504, "backend did not answer in time: backend=" + description, 0);
        }
        return new BackendFailureException(503, "backend unavailable: backend=" + description + " error=" + error, 1);
    }

    @Override
    public void close() {
        client.dispose();
    }
}
