package io.hps.gateway.backend;

import io.hps.wire.FrameType;
import io.hps.wire.MalformedFrameException;
import io.hps.wire.RequestContext;
import io.hps.wire.ScoreResponseDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * dense-service batches: one score request (keys variant) whose samples are the requests' samples
 * in order; the scores come back as slices of the response frame, one per request.
 */
final class ScoreCodec implements BatchCodec<ScoreCodec.Payload> {
    private final ByteBufAllocator allocator;
    private final int denseCount;
    private final int tableCount;

    ScoreCodec(ByteBufAllocator allocator, int denseCount, int tableCount) {
        this.allocator = allocator;
        this.denseCount = denseCount;
        this.tableCount = tableCount;
    }

    /**
     * One request's samples.
     *
     * @param dense float32 {@code [samples, denseCount]} little-endian
     * @param keys  int64 {@code [samples, tableCount]} little-endian, sample-major
     */
    record Payload(ByteBuf dense, ByteBuf keys, int samples) {
    }

    @Override
    public ByteBuf compose(RequestContext context, List<Payload> payloads) {
        return FrameComposer.scoreRequest(allocator, context, denseCount, tableCount,
                payloads.stream().map(Payload::dense).toList(), payloads.stream().map(Payload::keys).toList());
    }

    @Override
    public List<ByteBuf> split(ByteBuf response, List<Payload> payloads) {
        int offset = response.readerIndex();
        int length = response.readableBytes();
        try {
            BackendFailureException.requireFrame(response, offset, length, FrameType.SCORE_RESPONSE, "dense-service");
            return slices(new ScoreResponseDecoder().wrap(response, offset, length), payloads);
        } catch (MalformedFrameException e) {
            throw new BackendFailureException(502, "dense-service answered a malformed frame: " + e.getMessage(), 0);
        }
    }

    private static List<ByteBuf> slices(ScoreResponseDecoder scores, List<Payload> payloads) {
        int expected = payloads.stream().mapToInt(Payload::samples).sum();
        if (scores.batchSize() != expected) {
            throw new BackendFailureException(502, "dense-service answered " + scores.batchSize()
                    + " scores for " + expected + " samples", 0);
        }
        ByteBuf all = scores.scoresSlice();
        List<ByteBuf> results = new ArrayList<>(payloads.size());
        int index = 0;
        for (Payload payload : payloads) {
            results.add(all.retainedSlice(all.readerIndex() + 4 * index, 4 * payload.samples()));
            index += payload.samples();
        }
        return results;
    }
}
