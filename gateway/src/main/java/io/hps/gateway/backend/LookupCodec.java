package io.hps.gateway.backend;

import io.hps.wire.EmbeddingLayout;
import io.hps.wire.EmbeddingSection;
import io.hps.wire.FrameType;
import io.hps.wire.LookupResponseDecoder;
import io.hps.wire.MalformedFrameException;
import io.hps.wire.RequestContext;
import io.hps.wire.VectorDtype;
import io.hps.wire.VectorStorage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * hps-service requests, one per batch: a lookup request in table-major order, answered by float32
 * vectors, table-major and inline, whose bytes become the result as a slice of the response.
 */
final class LookupCodec implements BatchCodec<LookupCodec.Payload> {
    private final ByteBufAllocator allocator;

    LookupCodec(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * @param keyCounts keys per table
     * @param keys      int64 little-endian, table-major, exactly the sum of keyCounts
     */
    record Payload(int[] keyCounts, ByteBuf keys) {
    }

    @Override
    public ByteBuf compose(RequestContext context, List<Payload> payloads) {
        Payload payload = payloads.getFirst();
        return FrameComposer.lookupRequest(allocator, context, payload.keyCounts(), payload.keys());
    }

    @Override
    public List<ByteBuf> split(ByteBuf response, List<Payload> payloads) {
        int offset = response.readerIndex();
        int length = response.readableBytes();
        try {
            BackendFailureException.requireFrame(response, offset, length, FrameType.LOOKUP_RESPONSE, "hps-service");
            EmbeddingSection section = new LookupResponseDecoder().wrap(response, offset, length).embeddings();
            if (section.dtype() != VectorDtype.F32 || section.layout() != EmbeddingLayout.TABLE_MAJOR
                    || section.storage() != VectorStorage.INLINE) {
                throw new BackendFailureException(502, "hps-service answered vectors not asked for: dtype="
                        + section.dtype() + " layout=" + section.layout() + " storage=" + section.storage(), 0);
            }
            return List.of(section.vectorsRetainedSlice());
        } catch (MalformedFrameException e) {
            throw new BackendFailureException(502, "hps-service answered a malformed frame: " + e.getMessage(), 0);
        }
    }
}
