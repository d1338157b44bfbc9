package io.hps.gateway;

import io.hps.model.DlrmArchitecture;
import io.hps.model.config.ModelDirectory;
import io.hps.model.dense.DlrmWeightsFile;
import io.hps.model.reference.ReferenceDlrm;
import io.hps.model.sparse.SparseTable;
import io.hps.wire.ErrorCode;
import io.hps.wire.ErrorFrameEncoder;
import io.hps.wire.MalformedFrameException;
import io.hps.wire.ScoreRequestDecoder;
import io.hps.wire.ScoreResponseEncoder;
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
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A stand-in for dense-service in tests: an RSocket request-response server that speaks the agreed
 * contract (score request frames, keys variant, in; score response or error frames out) and scores
 * with the float64 {@link ReferenceDlrm} over the model's sparse files and dense weights. Keys are
 * row indexes (the synthetic generator writes keys 0..rows-1 in row order).
 *
 * <p>Models it answers: those named in {@code scored}; requests for {@value #HELD_MODEL} are held
 * until {@link #releaseHeld()} or until the requester cancels (counted by {@link #cancellations()});
 * {@code error_<CODE>} gets an error frame with that {@link ErrorCode}; every other name gets an
 * UNKNOWN_MODEL error frame.
 */
public final class ReferenceScoringServer implements AutoCloseable {
    static final String HELD_MODEL = "dlrm_held";
    static final String ERROR_PREFIX = "error_";

    private final ReferenceDlrm reference;
    private final DlrmArchitecture architecture;
    private final List<SparseTable> tables;
    private final Set<String> scored;
    private final CloseableChannel channel;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicInteger cancellations = new AtomicInteger();
    private final List<Sinks.Empty<Void>> gates = new ArrayList<>();

    public ReferenceScoringServer(Path modelDirectory, Set<String> scored) throws IOException {
        ModelDirectory model = ModelDirectory.open(modelDirectory);
        this.architecture = model.architecture();
        this.reference = new ReferenceDlrm(DlrmWeightsFile.load(model.denseWeights(), architecture));
        this.tables = new ArrayList<>();
        for (int t = 0; t < architecture.tableCount(); t++) {
            tables.add(SparseTable.open(model.sparseTables().get(t), architecture.tables().get(t)));
        }
        this.scored = Set.copyOf(scored);
        this.channel = RSocketServer.create(SocketAcceptor.with(new Responder()))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .bind(TcpServerTransport.create("127.0.0.1", 0))
                .block(Duration.ofSeconds(10));
    }

    public int port() {
        return channel.address().getPort();
    }

    /** Score requests received, held ones included. */
    int requests() {
        return requests.get();
    }

    /** Requests for {@value #HELD_MODEL} waiting now. */
    int held() {
        return held.get();
    }

    /** Requests cancelled by their requester while held. */
    int cancellations() {
        return cancellations.get();
    }

    /** Lets every held request go on to be scored. */
    synchronized void releaseHeld() {
        gates.forEach(Sinks.Empty::tryEmitEmpty);
        gates.clear();
    }

    /** Scores of a batch, as this server computes them: float64 reference, rounded to float32. */
    float[] scores(int batch, float[] dense, long[] keys) {
        int dim = architecture.embeddingDimension();
        int tableCount = architecture.tableCount();
        float[] embeddings = new float[batch * tableCount * dim];
        for (int s = 0; s < batch; s++) {
            for (int t = 0; t < tableCount; t++) {
                float[] vector = tables.get(t).vector(keys[s * tableCount + t]).toArray(ValueLayout.JAVA_FLOAT);
                System.arraycopy(vector, 0, embeddings, (s * tableCount + t) * dim, dim);
            }
        }
        double[] scores = reference.forward(batch, dense, embeddings);
        float[] out = new float[batch];
        for (int s = 0; s < batch; s++) {
            out[s] = (float) scores[s];
        }
        return out;
    }

    private ByteBuf answer(ByteBuf frame) {
        ScoreRequestDecoder request = new ScoreRequestDecoder();
        try {
            request.wrap(frame, frame.readerIndex(), frame.readableBytes());
        } catch (MalformedFrameException e) {
            return error(0, ErrorCode.MALFORMED_FRAME, e.getMessage());
        }
        if (request.modelName().startsWith(ERROR_PREFIX)) {
            ErrorCode code = ErrorCode.valueOf(request.modelName().substring(ERROR_PREFIX.length()));
            return error(request.requestId(), code, "refused as asked: code=" + code);
        }
        if (!scored.contains(request.modelName()) && !request.modelName().equals(HELD_MODEL)) {
            return error(request.requestId(), ErrorCode.UNKNOWN_MODEL, "no model " + request.modelName());
        }
        if (!request.carriesKeys() || request.denseCount() != architecture.denseFeatures()
                || request.tableCount() != architecture.tableCount()) {
            return error(request.requestId(), ErrorCode.BAD_REQUEST, "shape does not match the model");
        }
        int batch = request.batchSize();
        float[] dense = new float[batch * request.denseCount()];
        long[] keys = new long[batch * request.tableCount()];
        for (int s = 0; s < batch; s++) {
            for (int f = 0; f < request.denseCount(); f++) {
                dense[s * request.denseCount() + f] = request.dense(s, f);
            }
            for (int t = 0; t < request.tableCount(); t++) {
                long key = request.key(s, t);
                if (key < 0 || key >= tables.get(t).rows()) {
                    key = 0;
                }
                keys[s * request.tableCount() + t] = key;
            }
        }
        ByteBuf scores = ByteBufAllocator.DEFAULT.buffer(4 * batch);
        try {
            for (float score : scores(batch, dense, keys)) {
                scores.writeFloatLE(score);
            }
            ByteBuf out = ByteBufAllocator.DEFAULT.buffer(ScoreResponseEncoder.frameLength(batch));
            ScoreResponseEncoder.encode(out, request.requestId(), scores);
            return out;
        } finally {
            scores.release();
        }
    }

    private static ByteBuf error(long requestId, ErrorCode code, String message) {
        ByteBuf out = ByteBufAllocator.DEFAULT.buffer(ErrorFrameEncoder.frameLength(message));
        ErrorFrameEncoder.encode(out, requestId, code, message);
        return out;
    }

    private synchronized Sinks.Empty<Void> gate() {
        Sinks.Empty<Void> gate = Sinks.empty();
        gates.add(gate);
        return gate;
    }

    @Override
    public void close() {
        releaseHeld();
        channel.dispose();
        tables.forEach(SparseTable::close);
    }

    private final class Responder implements RSocket {
        @Override
        public Mono<Payload> requestResponse(Payload payload) {
            requests.incrementAndGet();
            boolean hold;
            ByteBuf frame = payload.sliceData();
            try {
                ScoreRequestDecoder request = new ScoreRequestDecoder().wrap(frame, frame.readerIndex(),
                        frame.readableBytes());
                hold = request.modelName().equals(HELD_MODEL);
            } catch (MalformedFrameException e) {
                hold = false;
            }
            if (!hold) {
                try {
                    return Mono.just(ByteBufPayload.create(answer(frame)));
                } finally {
                    payload.release();
                }
            }
            held.incrementAndGet();
            return gate().asMono()
                    .then(Mono.fromCallable(() -> ByteBufPayload.create(answer(payload.sliceData()))))
                    .doOnCancel(cancellations::incrementAndGet)
                    .doFinally(signal -> {
                        held.decrementAndGet();
                        payload.release();
                    });
        }
    }
}
