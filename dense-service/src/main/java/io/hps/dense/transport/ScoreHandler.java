package io.hps.dense.transport;

import io.hps.dense.path.ScoringException;
import io.hps.dense.path.ScoringPath;
import io.hps.dense.path.ServedModels;
import io.hps.model.DlrmArchitecture;
import io.hps.transport.FrameServer;
import io.hps.wire.ErrorCode;
import io.hps.wire.ErrorFrameEncoder;
import io.hps.wire.MalformedFrameException;
import io.hps.wire.ScoreRequestDecoder;
import io.hps.wire.ScoreResponseEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Turns one score request frame into one score response or error frame: "infer" (keys) runs the
 * instance's path, "score" (embeddings inline) runs its network on the frame's vectors. Dense
 * features and keys are read in place from the frame. Every failure becomes an error frame
 * carrying the request id and a message naming the problem; each outcome is counted on the
 * instance's {@code dense.requests}.
 *
 * <p>Threads: called on worker threads (it blocks while the batch is scored); each thread keeps
 * its own decoder and score scratch.
 */
final class ScoreHandler implements FrameServer.FrameHandler {
    static final int REQUEST_ID_OFFSET = 16;

    private final ServedModels models;
    private final ByteBufAllocator allocator;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    ScoreHandler(ServedModels models, ByteBufAllocator allocator) {
        this.models = models;
        this.allocator = allocator;
    }

    /** Answers the request in {@code frame}; never throws. The caller keeps {@code frame}; the result is the caller's. */
    @Override
    public ByteBuf handle(ByteBuf frame) {
        Scratch s = scratch.get();
        ScoreRequestDecoder request = s.decoder;
        try {
            request.wrap(frame, frame.readerIndex(), frame.readableBytes());
        } catch (MalformedFrameException e) {
            return error(requestId(frame), ErrorCode.MALFORMED_FRAME, e.getMessage());
        }
        Optional<ScoringPath> found = models.path(request.modelName());
        if (found.isEmpty()) {
            return models.declares(request.modelName())
                    ? error(request.requestId(), ErrorCode.NOT_READY, "model is still loading: model=" + request.modelName())
                    : error(request.requestId(), ErrorCode.UNKNOWN_MODEL, "unknown model: model=" + request.modelName()
                    + " served=" + models.names());
        }
        ScoringPath path = found.get();
        try {
            ByteBuf response = score(path, request, s);
            path.metrics().succeeded();
            return response;
        } catch (ScoringException e) {
            path.metrics().failed(e.code());
            return error(request.requestId(), e.code(), e.getMessage());
        } catch (RuntimeException e) {
            path.metrics().failed(ErrorCode.INTERNAL);
            return error(request.requestId(), ErrorCode.INTERNAL, "scoring failed: model=" + path.name() + " error=" + e);
        }
    }

    private ByteBuf score(ScoringPath path, ScoreRequestDecoder request, Scratch s) {
        checkShape(path, request);
        int batch = request.batchSize();
        if (batch > path.maxBatchSize()) {
            throw new ScoringException(ErrorCode.TOO_MANY_KEYS, "batch over the maximum: model=" + path.name()
                    + " batch=" + batch + " maxBatchSize=" + path.maxBatchSize());
        }
        float[] out = s.scores(batch);
        MemorySegment dense = segment(request.denseSlice());
        if (request.carriesKeys()) {
            path.score(batch, dense, segment(request.keysSlice()), out);
        } else {
            path.scoreEmbeddings(batch, dense, request.embeddings(), out);
        }
        return response(request.requestId(), batch, out, s);
    }

    private static void checkShape(ScoringPath path, ScoreRequestDecoder request) {
        DlrmArchitecture a = path.architecture();
        if (request.denseCount() != a.denseFeatures() || request.tableCount() != a.tableCount()) {
            throw new ScoringException(ErrorCode.BAD_REQUEST, "request shape does not match the model: model="
                    + path.name() + " denseCount=" + request.denseCount() + " tableCount=" + request.tableCount()
                    + " expectedDense=" + a.denseFeatures() + " expectedTables=" + a.tableCount());
        }
        long deadline = request.deadlineMicros();
        if (deadline != 0 && deadline < System.currentTimeMillis() * 1000) {
            throw new ScoringException(ErrorCode.DEADLINE_EXCEEDED, "deadline passed before scoring: model="
                    + path.name() + " deadlineMicros=" + deadline);
        }
    }

    /** The slice's memory as a segment: a view over one buffer, or a copy when the frame is split. */
    private static MemorySegment segment(ByteBuf slice) {
        if (slice.nioBufferCount() == 1) {
            return MemorySegment.ofBuffer(slice.nioBuffer());
        }
        return MemorySegment.ofBuffer(ByteBuffer.wrap(ByteBufUtil.getBytes(slice)));
    }

    private ByteBuf response(long requestId, int batch, float[] scores, Scratch s) {
        ByteBuf scoreBytes = s.scoreBytes(batch);
        for (int i = 0; i < batch; i++) {
            scoreBytes.writeFloatLE(scores[i]);
        }
        ByteBuf out = allocator.buffer(ScoreResponseEncoder.frameLength(batch));
        ScoreResponseEncoder.encode(out, requestId, scoreBytes);
        return out;
    }

    @Override
    public ByteBuf error(ByteBuf request, ErrorCode code, String message) {
        return error(requestId(request), code, message);
    }

    ByteBuf error(long requestId, ErrorCode code, String message) {
        String text = message == null ? code.name() : message;
        ByteBuf out = allocator.buffer(ErrorFrameEncoder.frameLength(text));
        ErrorFrameEncoder.encode(out, requestId, code, text);
        return out;
    }

    /** The request id of a frame too broken to decode, when its header is at least that long; else 0. */
    static long requestId(ByteBuf frame) {
        return frame.readableBytes() >= REQUEST_ID_OFFSET + Long.BYTES
                ? frame.getLongLE(frame.readerIndex() + REQUEST_ID_OFFSET) : 0;
    }

    /** Per-thread decoder and score buffers (plain heap arrays, nothing to release), grown to the largest batch seen. */
    private static final class Scratch {
        final ScoreRequestDecoder decoder = new ScoreRequestDecoder();
        private float[] scores = new float[1024];
        private ByteBuf scoreBytes = Unpooled.wrappedBuffer(new byte[4096]);

        float[] scores(int batch) {
            if (scores.length < batch) {
                scores = new float[batch];
            }
            return scores;
        }

        ByteBuf scoreBytes(int batch) {
            if (scoreBytes.capacity() < batch * Float.BYTES) {
                scoreBytes = Unpooled.wrappedBuffer(new byte[batch * Float.BYTES]);
            }
            return scoreBytes.clear();
        }
    }
}
