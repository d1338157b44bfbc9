package io.hps.dense.transport;

import io.hps.dense.path.ServedModels;
import io.hps.transport.FrameServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;

/**
 * The RSocket server of dense-service: a {@link FrameServer} answering score request frames
 * ("infer" with keys, or "score" with embeddings inline) with score response or error frames
 * ({@link ScoreHandler}). Meters: {@code dense.rsocket.latency}, {@code dense.rsocket.overloaded},
 * {@code dense.queue.wait}, {@code dense.queue.depth}.
 */
public final class ScoreServer implements AutoCloseable {
    private static final FrameServer.MeterNames METERS = new FrameServer.MeterNames("dense.rsocket.latency",
            "dense.rsocket.overloaded", "dense.queue.wait", "dense.queue.depth");

    private final FrameServer server;

    private ScoreServer(FrameServer server) {
        this.server = server;
    }

    /** Binds the server; blocks until bound. */
    public static ScoreServer start(ServedModels models, ScoreServerSettings settings, MeterRegistry registry) {
        return new ScoreServer(FrameServer.start(new ScoreHandler(models, ByteBufAllocator.DEFAULT),
                new FrameServer.Settings("score", settings.host(), settings.port(), settings.workerThreads(),
                        settings.queue(), settings.maxFrameBytes()), METERS, registry));
    }

    /** The bound TCP port (useful when started on port 0). */
    public int port() {
        return server.port();
    }

    /** Stops accepting, lets running requests finish for up to {@code drain}, then closes. */
    public void close(Duration drain) {
        server.close(drain);
    }

    @Override
    public void close() {
        server.close();
    }
}
