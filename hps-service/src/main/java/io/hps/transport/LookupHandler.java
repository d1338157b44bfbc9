package io.hps.transport;

import io.hps.lookup.LookupOutcome;
import io.hps.lookup.LookupSession;
import io.hps.lookup.LookupTable;
import io.hps.store.ParameterServer;
import io.hps.tier.TierKind;
import io.hps.transport.tcp.FrameBuffers;
import io.hps.wire.EmbeddingBlock;
import io.hps.wire.ErrorCode;
import io.hps.wire.ErrorFrameEncoder;
import io.hps.wire.HalfPrecision;
import io.hps.wire.LookupRequestDecoder;
import io.hps.wire.LookupResponseEncoder;
import io.hps.wire.LookupStatus;
import io.hps.wire.MalformedFrameException;
import io.hps.wire.VectorDtype;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * Turns one lookup request frame into one response frame: decodes and validates the request,
 * runs the model's {@link LookupSession} for each table straight into a direct response buffer,
 * converts to fp16/bf16 in place when asked, and composes the response around that buffer
 * without copying the vectors. Every failure becomes an error frame naming the problem.
 *
 * <p>Threads: called on lookup worker threads (it blocks on tier calls); each thread keeps its
 * own decoder and key scratch array. Requests of at most {@code inlineKeys} keys are answered on
 * the event loop when every tier lives in this process (hash map tiers, or none): such a lookup is
 * tens of microseconds of memory reads, less than the two thread hand-offs it saves. Requests to
 * servers with a Redis or RocksDB tier always go to a worker.
 */
final class LookupHandler implements FrameServer.FrameHandler {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Every request frame carries its id right after the frame header. */
    private static final int REQUEST_ID_OFFSET = io.hps.wire.FrameHeader.LENGTH;

    private final ParameterServer server;
    private final ByteBufAllocator allocator;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Bytes of a request frame besides its keys, at most (header, context, per-table counts). */
    private static final int INLINE_HEAD_BYTES = 4096;

    private final int inlineBytes;

    LookupHandler(ParameterServer server, ByteBufAllocator allocator, int inlineKeys) {
        this.server = server;
        this.allocator = allocator;
        boolean inProcess = server.tiers().stream().allMatch(t -> t.kind() == TierKind.HASH_MAP);
        this.inlineBytes = inProcess && inlineKeys > 0 ? INLINE_HEAD_BYTES + inlineKeys * Long.BYTES : -1;
    }

    @Override
    public boolean answersInline(ByteBuf request) {
        return request.readableBytes() <= inlineBytes;
    }

    /**
     * Answers the request in {@code frame}; never throws. The caller keeps ownership of
     * {@code frame}; the returned buffer is the caller's to send or release.
     */
    @Override
    public ByteBuf handle(ByteBuf frame) {
        LookupRequestDecoder request = scratch.get().decoder;
        try {
            request.wrap(frame, frame.readerIndex(), frame.readableBytes());
        } catch (MalformedFrameException e) {
            return error(0, ErrorCode.MALFORMED_FRAME, e.getMessage());
        }
        try {
            return lookup(request);
        } catch (RequestException e) {
            return error(request.requestId(), e.code, e.getMessage());
        } catch (RuntimeException e) {
            return error(request.requestId(), ErrorCode.INTERNAL, "lookup failed: " + e);
        }
    }

    private ByteBuf lookup(LookupRequestDecoder request) {
        if (request.deadlineMicros() != 0 && request.deadlineMicros() < System.currentTimeMillis() * 1000) {
            throw new RequestException(ErrorCode.DEADLINE_EXCEEDED, "deadline passed before the lookup started: model="
                    + request.modelName());
        }
        LookupSession session = session(request.modelName());
        int tables = request.tableCount();
        if (tables != session.tables().size()) {
            throw new RequestException(ErrorCode.UNKNOWN_TABLE, "table count mismatch: model=" + session.model()
                    + " tables=" + session.tables().size() + " requested=" + tables);
        }
        int[] dims = new int[tables];
        int[] counts = new int[tables];
        long f32Bytes = 0;
        for (int t = 0; t < tables; t++) {
            LookupTable table = session.tables().get(t);
            dims[t] = table.dimension();
            counts[t] = request.keyCount(t);
            if (counts[t] > table.maxKeys()) {
                throw new RequestException(ErrorCode.TOO_MANY_KEYS, "too many keys: model=" + session.model()
                        + " table=" + table.table().table() + " keys=" + counts[t] + " max=" + table.maxKeys());
            }
            f32Bytes += (long) counts[t] * table.vectorBytes();
        }
        if (f32Bytes > Integer.MAX_VALUE - 4096) {
            throw new RequestException(ErrorCode.TOO_MANY_KEYS, "response too large: bytes=" + f32Bytes);
        }
        return request.uniqueVectors()
                ? respond(request, session, dims, counts, f32Bytes, true)
                : respond(request, session, dims, counts, f32Bytes, false);
    }

    private ByteBuf respond(LookupRequestDecoder request, LookupSession session, int[] dims, int[] counts,
                            long f32Bytes, boolean unique) {
        int tables = dims.length;
        ByteBuf vectors = FrameBuffers.SHARED.directBuffer((int) Math.max(64, f32Bytes));
        ByteBuf inverse = null;
        try {
            MemorySegment out = MemorySegment.ofBuffer(vectors.nioBuffer(0, vectors.capacity()));
            Scratch s = scratch.get();
            int[] uniqueCounts = unique ? new int[tables] : null;
            if (unique) {
                inverse = FrameBuffers.SHARED.directBuffer(Math.max(4, request.totalKeys() * Integer.BYTES));
            }
            boolean defaults = false;
            long offset = 0;
            for (int t = 0; t < tables; t++) {
                long[] keys = s.keys(counts[t]);
                int start = request.keyStart(t);
                for (int i = 0; i < counts[t]; i++) {
                    keys[i] = request.key(start + i);
                }
                LookupOutcome outcome;
                if (unique) {
                    int[] inv = s.inverse(counts[t]);
                    outcome = session.lookupUnique(t, keys, 0, counts[t], out, offset, inv);
                    for (int i = 0; i < counts[t]; i++) {
                        inverse.writeIntLE(inv[i]);
                    }
                    uniqueCounts[t] = outcome.uniqueKeys();
                    offset += (long) outcome.uniqueKeys() * dims[t] * Float.BYTES;
                } else {
                    outcome = session.lookup(t, keys, 0, counts[t], out, offset);
                    offset += (long) counts[t] * dims[t] * Float.BYTES;
                }
                defaults |= outcome.defaults() > 0;
            }
            VectorDtype dtype = request.dtype();
            long bytes = narrow(out, offset, dtype);
            vectors.writerIndex((int) bytes);
            EmbeddingBlock block = unique
                    ? EmbeddingBlock.unique(dtype, dims, counts, uniqueCounts)
                    : EmbeddingBlock.tableMajor(dtype, dims, counts);
            ByteBuf frame = LookupResponseEncoder.composeReleasing(allocator, request.requestId(),
                    defaults ? LookupStatus.DEFAULTS_USED : LookupStatus.OK, block, inverse, vectors);
            vectors = null;
            return frame;
        } finally {
            if (vectors != null) {
                vectors.release();
            }
            if (inverse != null) {
                inverse.release();
            }
        }
    }

    /**
     * Converts {@code f32Bytes} of float32 at the start of {@code out} to {@code dtype} in place,
     * front to back (each 2-byte result lands at or before the float it came from).
     *
     * @return bytes of the converted vectors
     */
    private static long narrow(MemorySegment out, long f32Bytes, VectorDtype dtype) {
        long n = f32Bytes / Float.BYTES;
        return switch (dtype) {
            case F32 -> f32Bytes;
            case F16 -> {
                for (long i = 0; i < n; i++) {
                    out.set(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2, HalfPrecision.toF16(out.getAtIndex(F32, i)));
                }
                yield n * 2;
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) {
                    out.set(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2, HalfPrecision.toBf16(out.getAtIndex(F32, i)));
                }
                yield n * 2;
            }
        };
    }

    private LookupSession session(String model) {
        Optional<LookupSession> session = server.session(model);
        if (session.isPresent()) {
            return session.get();
        }
        if (server.models().contains(model)) {
            throw new RequestException(ErrorCode.NOT_READY, "model is still loading: model=" + model);
        }
        throw new RequestException(ErrorCode.UNKNOWN_MODEL, "unknown model: model=" + model
                + " served=" + server.models());
    }

    /** An error frame for a request, echoing its id when the frame is long enough to hold one. */
    @Override
    public ByteBuf error(ByteBuf request, ErrorCode code, String message) {
        long requestId = request.readableBytes() >= REQUEST_ID_OFFSET + Long.BYTES
                ? request.getLongLE(request.readerIndex() + REQUEST_ID_OFFSET) : 0;
        return error(requestId, code, message);
    }

    ByteBuf error(long requestId, ErrorCode code, String message) {
        String text = message == null ? code.name() : message;
        ByteBuf out = allocator.buffer(ErrorFrameEncoder.frameLength(text));
        ErrorFrameEncoder.encode(out, requestId, code, text);
        return out;
    }

    /** A request that cannot be served, with the error code to answer. */
    static final class RequestException extends RuntimeException {
        private final ErrorCode code;

        RequestException(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    /** Per-thread decoder and key arrays, grown to the largest table batch seen. */
    private static final class Scratch {
        final LookupRequestDecoder decoder = new LookupRequestDecoder();
        private long[] keys = new long[1024];
        private int[] inverse = new int[1024];

        long[] keys(int n) {
            if (keys.length < n) {
                keys = new long[n];
            }
            return keys;
        }

        int[] inverse(int n) {
            if (inverse.length < n) {
                inverse = new int[n];
            }
            return inverse;
        }
    }
}
