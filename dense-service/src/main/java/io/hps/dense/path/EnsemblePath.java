package io.hps.dense.path;

import io.hps.dense.cpu.DlrmNetwork;
import io.hps.model.DlrmArchitecture;
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
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ensemble path: the keys go to hps-service replicas in lookup requests (written
 * table-major straight from the sample-major keys; a batch whose vectors would not fit one
 * unfragmented RSocket frame is split into chunks of samples sent at once, round-robin over the
 * replicas, and gathered in order), the vectors come back in the response frame
 * in the dtype and layout of {@link PathSettings#ensembleDtype()} and
 * {@link PathSettings#ensembleUnique()}, and the network reads them from that frame through
 * {@link SectionGather} (the frame is viewed in place, never copied whole; fp16/bf16 stay narrow
 * until the network widens them). The bottom MLP runs while the lookups are in flight
 * ({@link DlrmNetwork#startBottom}). Response frames are released once gathered.
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
    private final int samplesPerRequest;

    EnsemblePath(PathSettings settings, DlrmNetwork network, int maxBatch, PathMetrics metrics, LookupClient client,
                 String hpsModel, ByteBufAllocator allocator) {
        super(settings, network, maxBatch, metrics);
        this.client = client;
        this.hpsModel = hpsModel;
        this.allocator = allocator;
        this.samplesPerRequest = samplesPerRequest(settings, network.architecture(), maxBatch);
    }

    /** Samples whose vectors (plus inverse index) fit the response limit, at most the maximum batch. */
    static int samplesPerRequest(PathSettings settings, DlrmArchitecture a, int maxBatch) {
        long perSample = (long) a.tableCount() * a.embeddingDimension() * settings.ensembleDtype().bytes()
                + (settings.ensembleUnique() ? (long) a.tableCount() * Integer.BYTES : 0);
        return (int) Math.max(1, Math.min(maxBatch, settings.ensembleMaxResponseBytes() / perSample));
    }

    /**
     * Sends the lookups, runs the bottom MLP on the network's workers while they are in flight,
     * gathers the responses, then runs the rest of the network.
     */
    @Override
    void lookupAndForward(Workspace ws, int batch, MemorySegment dense, MemorySegment keys, float[] out) {
        long start = System.nanoTime();
        int chunks = Math.ceilDiv(batch, samplesPerRequest);
        CompletableFuture<ByteBuf>[] responses = send(ws, batch, keys, chunks);
        DlrmNetwork.BottomPass bottom = null;
        try {
            bottom = startBottom(batch, dense, ws.bottom);
            for (int c = 0; c < chunks; c++) {
                int first = c * samplesPerRequest;
                gather(ws, Math.min(samplesPerRequest, batch - first), await(responses[c]), first);
            }
            metrics.lookedUp(System.nanoTime() - start);
        } finally {
            releaseAll(responses);
            if (bottom != null) {
                bottom.await();
            }
        }
        forwardTop(batch, ws.bottom, ws.embeddings, SectionGather.type(settings().ensembleDtype()), out);
    }

    /** Sends one lookup per chunk of {@code samplesPerRequest} samples, all in flight at once. */
    @SuppressWarnings("unchecked")
    private CompletableFuture<ByteBuf>[] send(Workspace ws, int batch, MemorySegment keys, int chunks) {
        CompletableFuture<ByteBuf>[] responses = new CompletableFuture[chunks];
        long rowBytes = (long) architecture().tableCount() * Long.BYTES;
        ByteBuffer keyBuffer = keyBuffer(ws, keys);
        try {
            for (int c = 0; c < chunks; c++) {
                int first = c * samplesPerRequest;
                int n = Math.min(samplesPerRequest, batch - first);
                ByteBuf chunkKeys = Unpooled.wrappedBuffer(keyBuffer.slice((int) (first * rowBytes), (int) (n * rowBytes)));
                responses[c] = client.lookup(request(n, chunkKeys)).toFuture();
            }
            return responses;
        } catch (RuntimeException e) {
            releaseAll(responses);
            throw e;
        }
    }

    private void gather(Workspace ws, int samples, ByteBuf response, int firstSample) {
        LookupResponseDecoder decoded = decode(ws, response);
        if (decoded.embeddings().dtype() != settings().ensembleDtype()) {
            throw new ScoringException(ErrorCode.INTERNAL, "lookup response dtype differs: model=" + name()
                    + " dtype=" + decoded.embeddings().dtype() + " asked=" + settings().ensembleDtype());
        }
        SectionGather.gatherInto(name(), architecture(), samples, decoded.embeddings(), ws.embeddings, firstSample);
    }

    /** Releases every response that arrived or will arrive; a failed one holds nothing. */
    private static void releaseAll(CompletableFuture<ByteBuf>[] responses) {
        for (CompletableFuture<ByteBuf> response : responses) {
            if (response != null) {
                response.thenAccept(ByteBuf::release);
            }
        }
    }

    private ByteBuf request(int samples, ByteBuf keys) {
        int tables = architecture().tableCount();
        long deadlineMicros = (System.currentTimeMillis() + settings().lookupTimeoutMillis()) * 1000;
        RequestContext context = new RequestContext(hpsModel, requestIds.incrementAndGet(), deadlineMicros);
        ByteBuf frame = allocator.directBuffer(REQUEST_HEAD_BYTES + samples * tables * Long.BYTES);
        try {
            LookupRequestEncoder.encodeSampleMajor(frame, context, settings().ensembleDtype(),
                    settings().ensembleUnique(), samples, tables, keys);
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
    private static ByteBuffer keyBuffer(Workspace ws, MemorySegment keys) {
        if (keys.isNative() || keys.heapBase().filter(byte[].class::isInstance).isPresent()) {
            return keys.asByteBuffer();
        }
        MemorySegment copy = ws.keyBytes.asSlice(0, keys.byteSize());
        copy.copyFrom(keys);
        return copy.asByteBuffer();
    }

    /** Waits for one response frame; the caller releases it through {@link #releaseAll}. */
    private ByteBuf await(CompletableFuture<ByteBuf> response) {
        try {
            return response.get();
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
