package io.hps.load;

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
import reactor.core.publisher.Mono;

/**
 * A stand-in for dense-service in tests (the gateway tests' reference server, trimmed): an RSocket
 * request-response server that answers score request frames (keys variant) of the models in
 * {@code scored} with the float64 {@link ReferenceDlrm} over the model's sparse files and weights,
 * and every other model with an UNKNOWN_MODEL error frame.
 */
final class ReferenceScoringServer implements AutoCloseable {
    private final ReferenceDlrm reference;
    private final DlrmArchitecture architecture;
    private final List<SparseTable> tables = new ArrayList<>();
    private final Set<String> scored;
    private final CloseableChannel channel;

    ReferenceScoringServer(Path modelDirectory, Set<String> scored) throws IOException {
        ModelDirectory model = ModelDirectory.open(modelDirectory);
        this.architecture = model.architecture();
        this.reference = new ReferenceDlrm(DlrmWeightsFile.load(model.denseWeights(), architecture));
        for (int t = 0; t < architecture.tableCount(); t++) {
            tables.add(SparseTable.open(model.sparseTables().get(t), architecture.tables().get(t)));
        }
        this.scored = Set.copyOf(scored);
        this.channel = RSocketServer.create(SocketAcceptor.with(new Responder()))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .bind(TcpServerTransport.create("127.0.0.1", 0))
                .block(Duration.ofSeconds(10));
    }

    int port() {
        return channel.address().getPort();
    }

    private float[] scores(int batch, float[] dense, long[] keys) {
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
        if (!scored.contains(request.modelName())) {
            return error(request.requestId(), ErrorCode.UNKNOWN_MODEL, "no model " + request.modelName());
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
                keys[s * request.tableCount() + t] = key < 0 || key >= tables.get(t).rows() ? 0 : key;
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

    @Override
    public void close() {
        channel.dispose();
        tables.forEach(SparseTable::close);
    }

    private final class Responder implements RSocket {
        @Override
        public Mono<Payload> requestResponse(Payload payload) {
            try {
                return Mono.just(ByteBufPayload.create(answer(payload.sliceData())));
            } finally {
                payload.release();
            }
        }
    }
}
