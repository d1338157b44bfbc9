package io.hps.dense.path;

import io.hps.dense.cpu.DlrmNetwork;
import io.hps.transport.LookupClient;
import io.hps.wire.ErrorCode;
import io.hps.wire.ErrorFrameDecoder;
import io.hps.wire.FrameHeader;
import io.hps.wire.FrameType;
import io.hps.wire.LookupRequestEncoder;
import io.hps.wire.LookupResponseDecoder;
import io.hps.wire.MalformedFrameException;
import io.hps.wire.RequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ensemble path: the keys go to hps-service replicas in one lookup request (written
 * table-major straight from the sample-major keys), the vectors come back in the response frame
 * in the dtype and layout of {@link PathSettings#ensembleDtype()} and
 * {@link PathSettings#ensembleUnique()}, and the network reads them from that frame through
 * {@link SectionGather} (the frame is viewed in place, never copied whole; fp16/bf16 stay narrow
 * until the network widens them). The response frame is released once the batch is scored.
 *
 * <p>Errors of hps-service come back as its error code where it means the same here
 * (OVERLOADED, NOT_READY, DEADLINE_EXCEEDED, TOO_MANY_KEYS), else as INTERNAL with its message.
 */
final class EnsemblePath extends NetworkPath {
    private static final int REQUEST_HEAD_BYTES = 512;

    private final LookupClient client;
    private final String hpsModel;
    private final ByteBufAllocator allocator;
    private final AtomicLong requestIds = new AtomicLong();

    EnsemblePath(PathSettings settings, DlrmNetwork network, int maxBatch, PathMetrics metrics, LookupClient client,
                 String hpsModel, ByteBufAllocator allocator) {
        super(settings, network, maxBatch, metrics);
        this.client = client;
        this.hpsModel = hpsModel;
        this.allocator = allocator;
    }

    @Override
    void lookupAndForward(Workspace ws, int batch, MemorySegment dense, MemorySegment keys, float[] out) {
        long start = System.nanoTime();
        ByteBuf response = lookup(request(ws, batch, keys));
        try {
            LookupResponseDecoder decoded = decode(ws, response);
            MemorySegment vectors = SectionGather.sampleMajor(name(), architecture(), batch, decoded.embeddings(),
                    ws.embeddings);
            metrics.lookedUp(System.nanoTime() - start);
            forward(batch, dense, vectors, SectionGather.type(decoded.embeddings().dtype()), out);
        } finally {
            response.release();
        }
    }

    private ByteBuf request(Workspace ws, int batch, MemorySegment keys) {
        int tables = architecture().tableCount();
        ByteBuf keyBuf = Unpooled.wrappedBuffer(keyBuffer(ws, keys));
        long deadlineMicros = (System.currentTimeMillis() + settings().lookupTimeoutMillis()) * 1000;
        RequestContext context = new RequestContext(hpsModel, requestIds.incrementAndGet(), deadlineMicros);
        ByteBuf frame = allocator.directBuffer(REQUEST_HEAD_BYTES + batch * tables * Long.BYTES);
        try {
            LookupRequestEncoder.encodeSampleMajor(frame, context, settings().ensembleDtype(),
                    settings().ensembleUnique(), batch, tables, keyBuf);
            ByteBuf sent = frame;
            frame = null;
            return sent;
        } finally {
            if (frame != null) {
                frame.release();
            }
        }
    }

    /** The keys as a NIO view when the segment allows one, else copied into the workspace. */
    private static java.nio.ByteBuffer keyBuffer(Workspace ws, MemorySegment keys) {
        if (keys.isNative() || keys.heapBase().filter(byte[].class::isInstance).isPresent()) {
            return keys.asByteBuffer();
        }
        MemorySegment copy = ws.keyBytes.asSlice(0, keys.byteSize());
        copy.copyFrom(keys);
        return copy.asByteBuffer();
    }

    /** Sends the request (ownership passes to the client) and waits for the response frame. */
    private ByteBuf lookup(ByteBuf request) {
        try {
            return client.lookup(request).toFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScoringException(ErrorCode.INTERNAL, "interrupted during the lookup: model=" + name());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            ErrorCode code = cause instanceof TimeoutException ? ErrorCode.DEADLINE_EXCEEDED : ErrorCode.INTERNAL;
            throw new ScoringException(code, "lookup failed: model=" + name() + " error=" + cause, cause);
        }
    }

    private LookupResponseDecoder decode(Workspace ws, ByteBuf frame) {
        try {
            int offset = frame.readerIndex();
            int length = frame.readableBytes();
            if (FrameHeader.peekType(frame, offset, length) == FrameType.ERROR) {
                throw remoteError(new ErrorFrameDecoder().wrap(frame, offset, length));
            }
            return ws.response.wrap(frame, offset, length);
        } catch (MalformedFrameException e) {
            throw new ScoringException(ErrorCode.INTERNAL, "malformed lookup response: model=" + name() + " error="
                    + e.getMessage(), e);
        }
    }

    private ScoringException remoteError(ErrorFrameDecoder error) {
        ErrorCode code = switch (error.code()) {
            case OVERLOADED, NOT_READY, DEADLINE_EXCEEDED, TOO_MANY_KEYS -> error.code();
            default -> ErrorCode.INTERNAL;
        };
        return new ScoringException(code, "hps-service answered " + error.code() + ": model=" + name() + " message="
                + error.message());
    }

    @Override
    void closeLookup() {
        // the client is shared by the instances and closed by its owner
    }
}
