package io.hps.transport;

import io.hps.transport.shm.ShmServerTransport;
import io.hps.transport.tcp.FrameTransports;
import io.hps.wire.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.util.ByteBufPayload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * A request-response RSocket server over TCP (and over shared memory for clients of the same host, when
 * {@link Settings#shmSocket()} is set) for the services' binary frames: one request frame
 * in, one response or error frame out. Payloads are decoded zero-copy; each request runs on a
 * bounded worker pool (handlers may block on tiers or on the network), except those the handler
 * declares short and non-blocking ({@link FrameHandler#answersInline}), which the event loop
 * answers itself; when the pool's queue is full the request is answered at once with
 * {@link ErrorCode#OVERLOADED}.
 * Responses above {@link FrameTransports#FRAGMENT_MTU} go out in RSocket fragments.
 *
 * <p>Buffer ownership: the request payload is released exactly once, by the worker after the
 * response is built or by the event loop when the request is refused. The response frame passes
 * to RSocket; one built after its requester cancelled is released.
 */
public final class FrameServer implements AutoCloseable {
    /** Answers frames; called on worker threads. */
    public interface FrameHandler {
        /** The response to {@code request}, which stays the caller's; never throws for bad input. */
        ByteBuf handle(ByteBuf request);

        /** An error frame for {@code request} (echoing its id when its header can be read). */
        ByteBuf error(ByteBuf request, ErrorCode code, String message);

        /**
         * Whether {@code request} may be answered on the event loop that read it instead of a worker:
         * only for work that is short and never waits (no I/O, no lock held by slow work), where two
         * thread hand-offs would cost more than the work. Never, unless overridden.
         */
        default boolean answersInline(ByteBuf request) {
            return false;
        }
    }

    /**
     * Where and how the server listens.
     *
     * @param name          thread and error-message name, e.g. {@code lookup}
     * @param threads       worker threads
     * @param queue         requests that may wait for a worker; more are refused as overloaded
     * @param maxFrameBytes largest inbound payload after reassembly
     * @param shmSocket     where the server also listens for clients of this host over shared memory
     *                      ({@link ShmServerTransport}); null: TCP only
     */
    public record Settings(String name, String host, int port, int threads, int queue, int maxFrameBytes,
                           Path shmSocket) {
        /** TCP only. */
        public Settings(String name, String host, int port, int threads, int queue, int maxFrameBytes) {
            this(name, host, port, threads, queue, maxFrameBytes, null);
        }

        public Settings {
            if (threads < 1 || queue < 1 || port < 0 || port > 65535) {
                throw new IllegalArgumentException("invalid server settings: name=" + name + " port=" + port
                        + " threads=" + threads + " queue=" + queue);
            }
        }
    }

    /**
     * Meter names: request-to-response time and refusals, time waiting for a worker and requests
     * waiting.
     */
    public record MeterNames(String latency, String overloaded, String queueWait, String queueDepth) {
    }

    private final CloseableChannel channel;
    private final ShmServerTransport.Server shm;
    private final ThreadPoolExecutor workers;

    private FrameServer(CloseableChannel channel, ShmServerTransport.Server shm, ThreadPoolExecutor workers) {
        this.channel = channel;
        this.shm = shm;
        this.workers = workers;
    }

    /** Binds the server; blocks the calling (start-up) thread until bound. */
    public static FrameServer start(FrameHandler handler, Settings settings, MeterNames meters,
                                    MeterRegistry registry) {
        ThreadPoolExecutor workers = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0,
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(settings.queue()),
                Thread.ofPlatform().name("hps-" + settings.name() + "-", 0).daemon().factory(),
                new ThreadPoolExecutor.AbortPolicy());
        Responder responder = new Responder(handler, workers, settings.name(), meters, registry);
        RSocketServer rsocket = RSocketServer.create(SocketAcceptor.with(responder))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .maxInboundPayloadSize(settings.maxFrameBytes())
                .fragment(FrameTransports.FRAGMENT_MTU);
        CloseableChannel channel;
        try {
            channel = rsocket.bind(FrameTransports.server(settings.host(), settings.port()))
                    .toFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            workers.shutdownNow();
            throw new IllegalStateException("cannot bind " + settings.name() + " server: host=" + settings.host()
                    + " port=" + settings.port() + " error=" + e, e);
        }
        if (settings.shmSocket() == null) {
            return new FrameServer(channel, null, workers);
        }
        try {
            ShmServerTransport.Server shm = rsocket.bind(ShmServerTransport.create(settings.shmSocket(),
                    Endpoints.shmSettings())).toFuture().get(30, TimeUnit.SECONDS);
            return new FrameServer(channel, shm, workers);
        } catch (Exception e) {
            channel.dispose();
            workers.shutdownNow();
            throw new IllegalStateException("cannot listen for " + settings.name() + " over shared memory: socket="
                    + settings.shmSocket() + " error=" + e.getMessage(), e);
        }
    }

    /** The shared-memory endpoint's socket, or null when the server listens on TCP only. */
    public Path shmSocket() {
        return shm == null ? null : shm.path();
    }

    /** The bound TCP port (useful when started on port 0). */
    public int port() {
        return channel.address().getPort();
    }

    /** Stops accepting, lets running requests finish for up to {@code drain}, then closes. */
    public void close(Duration drain) {
        channel.dispose();
        if (shm != null) {
            shm.dispose();
        }
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
        private final FrameHandler handler;
        private final ThreadPoolExecutor workers;
        private final String name;
        private final Timer latency;
        private final Timer queueWait;
        private final Counter overloaded;

        Responder(FrameHandler handler, ThreadPoolExecutor workers, String name, MeterNames meters,
                  MeterRegistry registry) {
            this.handler = handler;
            this.workers = workers;
            this.name = name;
            this.latency = Timer.builder(meters.latency()).publishPercentileHistogram()
                    .description("request to response, server side").register(registry);
            this.queueWait = Timer.builder(meters.queueWait()).publishPercentileHistogram()
                    .description("time a request waited for a worker").register(registry);
            this.overloaded = Counter.builder(meters.overloaded())
                    .description("requests refused because the worker queue was full").register(registry);
            Gauge.builder(meters.queueDepth(), workers, w -> w.getQueue().size())
                    .description("requests waiting for a worker").register(registry);
        }

        @Override
        public Mono<Payload> requestResponse(Payload payload) {
            long start = System.nanoTime();
            if (handler.answersInline(payload.data())) {
                return Mono.just(answer(payload, start));
            }
            CompletableFuture<Payload> response = new CompletableFuture<>();
            try {
                workers.execute(() -> {
                    queueWait.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    response.complete(answer(payload, start));
                });
            } catch (RejectedExecutionException e) {
                ByteBuf refusal = handler.error(payload.sliceData(), ErrorCode.OVERLOADED,
                        name + " queue full: queue=" + workers.getQueue().size());
                payload.release();
                overloaded.increment();
                return Mono.just(ByteBufPayload.create(refusal));
            }
            return Mono.fromFuture(response, true)
                    .doOnCancel(() -> response.thenAccept(Payload::release));
        }

        /** The handler's response (or an error frame if it threw); releases the request. */
        private Payload answer(Payload payload, long start) {
            try {
                return ByteBufPayload.create(handler.handle(payload.sliceData()));
            } catch (Throwable t) {
                return ByteBufPayload.create(handler.error(payload.sliceData(), ErrorCode.INTERNAL, name + " failed: " + t));
            } finally {
                payload.release();
                latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        }
    }
}
