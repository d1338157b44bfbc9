package io.hps.wire;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes lookup request frames (layout in {@link LookupRequestDecoder}). Stateless and
 * thread-safe. Each method writes one frame at the writer index of {@code out}, which the caller
 * owns, grows it as needed, advances its writer index by the frame length and returns that
 * length; input buffers are read from their reader index without moving it or changing their
 * reference count.
 */
public final class LookupRequestEncoder {
    private LookupRequestEncoder() {
    }

    /** Exact bytes of the frame, so that the caller can allocate once. */
    public static int frameLength(RequestContext context, int[] keyCounts) {
        return Frames.frameLength(keysOffset(context, keyCounts.length) + 8L * totalKeys(keyCounts),
                FrameType.LOOKUP_REQUEST);
    }

    /**
     * @param dtype         vector dtype the response should carry
     * @param uniqueVectors whether the response should carry unique vectors plus an inverse index
     * @param keyCounts     keys per table, 1..4096 tables, at least 0 each
     * @param keys          int64 little-endian keys, table-major, exactly the sum of keyCounts
     */
    public static int encode(ByteBuf out, RequestContext context, VectorDtype dtype, boolean uniqueVectors,
                             int[] keyCounts, ByteBuf keys) {
        int length = frameLength(context, keyCounts);
        Frames.requireReadable(keys, 8L * totalKeys(keyCounts), "keys");
        int start = writeHead(out, length, context, dtype, uniqueVectors, keyCounts);
        out.writeBytes(keys, keys.readerIndex(), keys.readableBytes());
        return out.writerIndex() - start;
    }

    /**
     * Like {@link #encode} for one key per sample and table, from a sample-major {@code [batch,
     * tableCount]} int64 tensor (as the KServe {@code categorical} input carries it), transposed to
     * table-major while it is written.
     */
    public static int encodeSampleMajor(ByteBuf out, RequestContext context, VectorDtype dtype,
                                        boolean uniqueVectors, int batch, int tableCount, ByteBuf keys) {
        int[] keyCounts = new int[tableCount];
        Arrays.fill(keyCounts, batch);
        int length = frameLength(context, keyCounts);
        Frames.requireReadable(keys, 8L * batch * tableCount, "keys");
        int start = writeHead(out, length, context, dtype, uniqueVectors, keyCounts);
        int base = keys.readerIndex();
        for (int t = 0; t < tableCount; t++) {
            for (int b = 0; b < batch; b++) {
                out.writeLongLE(keys.getLongLE(base + 8 * (b * tableCount + t)));
            }
        }
        return out.writerIndex() - start;
    }

    private static int writeHead(ByteBuf out, int length, RequestContext context, VectorDtype dtype,
                                 boolean uniqueVectors, int[] keyCounts) {
        checkCounts(keyCounts);
        out.ensureWritable(length);
        int start = out.writerIndex();
        FrameHeader.write(out, FrameType.LOOKUP_REQUEST, uniqueVectors ? LookupRequestDecoder.UNIQUE_VECTORS_FLAG : 0,
                length);
        out.writeLongLE(context.requestId());
        out.writeLongLE(context.deadlineMicros());
        out.writeIntLE(keyCounts.length);
        out.writeByte(dtype.code());
        out.writeByte(Frames.nameBytes(context.model(), "model"));
        out.writeShortLE(0);
        out.writeCharSequence(context.model(), StandardCharsets.UTF_8);
        Frames.padTo4(out, start);
        for (int count : keyCounts) {
            out.writeIntLE(count);
        }
        Frames.padTo64(out, start);
        return start;
    }

    static long keysOffset(RequestContext context, int tableCount) {
        long counts = Frames.align4(LookupRequestDecoder.MODEL_NAME_OFFSET + Frames.nameBytes(context.model(), "model"));
        return Frames.align64(counts + 4L * tableCount);
    }

    private static long totalKeys(int[] keyCounts) {
        long total = 0;
        for (int count : keyCounts) {
            total += count;
        }
        return total;
    }

    private static void checkCounts(int[] keyCounts) {
        if (keyCounts.length < 1 || keyCounts.length > Frames.MAX_TABLES) {
            throw new IllegalArgumentException("table count out of range: tables=" + keyCounts.length + " max="
                    + Frames.MAX_TABLES);
        }
        for (int t = 0; t < keyCounts.length; t++) {
            if (keyCounts[t] < 0) {
                throw new IllegalArgumentException("key count negative: table=" + t + " keyCount=" + keyCounts[t]);
            }
        }
    }
}
