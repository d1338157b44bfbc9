package io.hps.transport;

import io.hps.store.ParameterServer;
import io.hps.wire.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.ByteBufPayload;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * The RSocket server of hps-service: request-response, one lookup request frame in, one lookup
 * response or error frame out. Payloads are decoded zero-copy; each request runs on a bounded
 * worker pool (never on the event loop, since lookups may wait for Redis); when the pool's queue
 * is full the request is answered at once with {@link ErrorCode#OVERLOADED}.
 *
 * <p>Buffer ownership: the request payload is released exactly once, by the worker after the
 * response is built or by the event loop when the request is refused. The response frame's
 * ownership passes to RSocket; a response built after its requester cancelled is released.
 */
public final class LookupServer implements AutoCloseable {
    /**
     * Largest RSocket frame sent: responses above it (a batch of 16384 samples x 26 tables x 128
     * floats is 218 MB) go out in fragments that the requester reassembles. Just under the
     * transport's 16 MiB frame limit, so that every response that fits one frame stays one frame.
     */
    public static final int FRAGMENT_MTU = (16 << 20) - 1024;

    private final CloseableChannel channel;
    private final ThreadPoolExecutor workers;

    private LookupServer(CloseableChannel channel, ThreadPoolExecutor workers) {
        this.channel = channel;
        this.workers = workers;
    }

    /**
     * Binds the server.
     *
     * @param threads       lookup worker threads
     * @param queue         requests that may wait for a worker
     * @param maxFrameBytes largest inbound payload
     */
    public static LookupServer start(ParameterServer server, String host, int port, int threads, int queue,
                                     int maxFrameBytes, MeterRegistry registry) {
        ThreadPoolExecutor workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queue), Thread.ofPlatform().name("hps-lookup-", 0).daemon().factory(),
                new ThreadPoolExecutor.AbortPolicy());
        Responder responder = new Responder(new LookupHandler(server, ByteBufAllocator.DEFAULT), workers, registry);
        try {
            CloseableChannel channel = RSocketServer.create(SocketAcceptor.with(responder))
                    .payloadDecoder(PayloadDecoder.ZERO_COPY)
                    .maxInboundPayloadSize(maxFrameBytes)
                    .fragment(FRAGMENT_MTU)
                    .bind(TcpServerTransport.create(host, port))
                    .toFuture()
                    .get(30, TimeUnit.SECONDS);
            return new LookupServer(channel, workers);
        } catch (Exception e) {
            workers.shutdownNow();
            throw new IllegalStateException("cannot bind lookup server: host=" + host + " port=" + port
                    + " error=" + e, e);
        }
    }

    /** The bound TCP port (useful when started on port 0). */
    public int port() {
        return channel.address().getPort();
    }

    /** Stops accepting, lets running lookups finish for up to {@code drain}, then closes. */
    public void close(Duration drain) {
        channel.dispose();
        workers.shutdown();
        try {
            workers.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /** Per-connection handler; one instance serves every connection. */
    private static final class Responder implements RSocket {
        private final LookupHandler handler;
        private final ThreadPoolExecutor workers;
        private final Timer latency;
        private final Counter overloaded;

        Responder(LookupHandler handler, ThreadPoolExecutor workers, MeterRegistry registry) {
            this.handler = handler;
            this.workers = workers;
            this.latency = Timer.builder("hps.rsocket.lookup.latency").publishPercentileHistogram()
                    .description("lookup request to response, server side").register(registry);
            this.overloaded = Counter.builder("hps.rsocket.lookup.overloaded")
                    .description("lookups refused because the worker queue was full").register(registry);
        }

        @Override
        public Mono<Payload> requestResponse(Payload payload) {
            long start = System.nanoTime();
            CompletableFuture<Payload> response = new CompletableFuture<>();
            try {
                workers.execute(() -> {
                    try {
                        response.complete(ByteBufPayload.create(handler.handle(payload.sliceData())));
                    } catch (Throwable t) {
                        response.complete(ByteBufPayload.create(handler.error(0, ErrorCode.INTERNAL,
                                "lookup failed: " + t)));
                    } finally {
                        payload.release();
                        latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    }
                });
            } catch (RejectedExecutionException e) {
                payload.release();
                overloaded.increment();
                return Mono.just(ByteBufPayload.create(handler.error(0, ErrorCode.OVERLOADED,
                        "lookup queue full: queue=" + workers.getQueue().size())));
            }
            return Mono.fromFuture(response, true)
                    .doOnCancel(() -> response.thenAccept(Payload::release));
        }
    }
}
