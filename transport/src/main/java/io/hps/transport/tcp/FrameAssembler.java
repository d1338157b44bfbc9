package io.hps.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Puts each length-prefixed frame of RSocket's TCP transport (a 3-byte big-endian length, then
 * the frame) back into one buffer before RSocket's own length decoder sees it. A frame already
 * whole in a read goes on as a slice of that read, without a copy; a larger one is copied once,
 * read by read, into a buffer of exactly its size from {@link FrameBuffers}. RSocket's decoder
 * then finds every frame whole in one buffer and slices it in place.
 *
 * <p>Without it the decoder accumulates a large frame in a buffer that it regrows as reads arrive
 * (at most 64 KiB each): a 13 MB response is copied about three times over and a new buffer is
 * allocated and zeroed at each step. Installed first in each connection's pipeline; one instance
 * per connection, on its event loop.
 */
final class FrameAssembler extends ChannelInboundHandlerAdapter {
    static final int LENGTH_BYTES = 3;

    private final FrameBuffers buffers;
    private final int maxFrameLength;
    private int prefixRead;
    private int prefixValue;
    private ByteBuf pending;

    FrameAssembler(FrameBuffers buffers, int maxFrameLength) {
        this.buffers = buffers;
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            while (in.isReadable()) {
                if (pending != null) {
                    fill(ctx, in);
                } else if (prefixRead == 0 && in.readableBytes() >= LENGTH_BYTES) {
                    int length = checked(in.getUnsignedMedium(in.readerIndex()));
                    if (in.readableBytes() >= LENGTH_BYTES + length) {
                        ctx.fireChannelRead(in.readRetainedSlice(LENGTH_BYTES + length));
                    } else {
                        start(length);
                        fill(ctx, in);
                    }
                } else {
                    prefixValue = prefixValue << 8 | in.readUnsignedByte();
                    if (++prefixRead == LENGTH_BYTES) {
                        int length = checked(prefixValue);
                        prefixRead = 0;
                        prefixValue = 0;
                        start(length);
                        pending.writeMedium(length);
                        if (length == 0) {
                            emit(ctx);
                        }
                    }
                }
            }
        } finally {
            in.release();
        }
    }

    private int checked(int length) throws TooLongFrameException {
        if (length > maxFrameLength) {
            throw new TooLongFrameException("frame of " + length + " bytes exceeds the limit of " + maxFrameLength);
        }
        return length;
    }

    private void start(int length) {
        pending = buffers.directBuffer(LENGTH_BYTES + length);
    }

    private void fill(ChannelHandlerContext ctx, ByteBuf in) {
        pending.writeBytes(in, Math.min(pending.writableBytes(), in.readableBytes()));
        if (!pending.isWritable()) {
            emit(ctx);
        }
    }

    private void emit(ChannelHandlerContext ctx) {
        ByteBuf frame = pending;
        pending = null;
        ctx.fireChannelRead(frame);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release();
        super.channelInactive(ctx);
    }

    private void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        prefixRead = 0;
        prefixValue = 0;
    }
}
