package io.hps.dense.transport;

import io.hps.dense.path.ServedModels;
import io.hps.wire.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
 * The RSocket server of dense-service (TCP): request-response, one score request frame in
 * ("infer" with keys, or "score" with embeddings inline), one score response or error frame
 * out. Payloads are decoded zero-copy; each request runs on a bounded worker pool, never on the
 * event loop; when the pool's queue is full the request is answered at once with
 * {@link ErrorCode#OVERLOADED}.
 *
 * <p>Buffer ownership: the request payload is released exactly once, by the worker after the
 * response is built or by the event loop when the request is refused. The response frame passes
 * to RSocket; one built after its requester cancelled is released.
 */
public final class ScoreServer implements AutoCloseable {
    private final CloseableChannel channel;
    private final ThreadPoolExecutor workers;

    private ScoreServer(CloseableChannel channel, ThreadPoolExecutor workers) {
        this.channel = channel;
        this.workers = workers;
    }

    /** Binds the server; blocks until bound. Meters: {@code dense.rsocket.latency}, {@code dense.rsocket.overloaded}. */
    public static ScoreServer start(ServedModels models, ScoreServerSettings settings, MeterRegistry registry) {
        ThreadPoolExecutor workers = new ThreadPoolExecutor(settings.workerThreads(), settings.workerThreads(), 0,
                TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(settings.queue()),
                Thread.ofPlatform().name("dense-score-", 0).daemon().factory(), new ThreadPoolExecutor.AbortPolicy());
        Responder responder = new Responder(new ScoreHandler(models, ByteBufAllocator.DEFAULT), workers, registry);
        try {
            CloseableChannel channel = RSocketServer.create(SocketAcceptor.with(responder))
                    .payloadDecoder(PayloadDecoder.ZERO_COPY)
                    .maxInboundPayloadSize(settings.maxFrameBytes())
                    .bind(TcpServerTransport.create(settings.host(), settings.port()))
                    .toFuture()
                    .get(30, TimeUnit.SECONDS);
            return new ScoreServer(channel, workers);
        } catch (Exception e) {
            workers.shutdownNow();
            throw new IllegalStateException("cannot bind score server: host=" + settings.host() + " port="
                    + settings.port() + " error=" + e, e);
        }
    }

    /** The bound TCP port (useful when started on port 0). */
    public int port() {
        return channel.address().getPort();
    }

    /** Stops accepting, lets running requests finish for up to {@code drain}, then closes. */
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

    /** One instance serves every connection. */
    private static final class Responder implements RSocket {
        private final ScoreHandler handler;
        private final ThreadPoolExecutor workers;
        private final Timer latency;
        private final Counter overloaded;
        private final Timer queueWait;

        Responder(ScoreHandler handler, ThreadPoolExecutor workers, MeterRegistry registry) {
            this.handler = handler;
            this.workers = workers;
            this.latency = Timer.builder("dense.rsocket.latency").publishPercentileHistogram()
                    .description("score request to response, server side").register(registry);
            this.queueWait = Timer.builder("dense.queue.wait").publishPercentileHistogram()
                    .description("time a request waited for a scoring worker").register(registry);
            io.micrometer.core.instrument.Gauge.builder("dense.queue.depth", workers, w -> w.getQueue().size())
                    .description("requests waiting for a scoring worker").register(registry);
            this.overloaded = Counter.builder("dense.rsocket.overloaded")
                    .description("requests refused because the worker queue was full").register(registry);
        }

        @Override
        public Mono<Payload> requestResponse(Payload payload) {
            long start = System.nanoTime();
            CompletableFuture<Payload> response = new CompletableFuture<>();
            try {
                workers.execute(() -> {
                    queueWait.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    try {
                        response.complete(ByteBufPayload.create(handler.handle(payload.sliceData())));
                    } catch (Throwable t) {
                        response.complete(ByteBufPayload.create(handler.error(ScoreHandler.requestId(payload.sliceData()),
                                ErrorCode.INTERNAL, "scoring failed: " + t)));
                    } finally {
                        payload.release();
                        latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    }
                });
            } catch (RejectedExecutionException e) {
                long requestId = ScoreHandler.requestId(payload.sliceData());
                payload.release();
                overloaded.increment();
                return Mono.just(ByteBufPayload.create(handler.error(requestId, ErrorCode.OVERLOADED,
                        "score queue full: queue=" + workers.getQueue().size())));
            }
            return Mono.fromFuture(response, true)
                    .doOnCancel(() -> response.thenAccept(Payload::release));
        }
    }
}
