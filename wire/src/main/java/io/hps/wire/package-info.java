/**
 * Binary frames the services exchange over RSocket, and their flyweight codecs over Netty
 * {@link io.netty.buffer.ByteBuf}s.
 *
 * <p>Every frame is little-endian and starts with the 16-byte {@link io.hps.wire.FrameHeader}.
 * Tensors (keys, vectors, inverse indexes, dense features, scores) start 64-byte aligned relative
 * to the frame start; padding bytes are zero. Each codec draws its layout in its Javadoc.
 * Decoders compute every section offset from the counts, so a frame cannot place a tensor off
 * its alignment; tensors are aligned in memory too when the frame itself starts at a 64-byte
 * aligned address. Frame lengths are at most {@link java.lang.Integer#MAX_VALUE} bytes.
 *
 * <p>Encoders are stateless static methods that write at the writer index of a buffer the caller
 * owns, or compose a {@link io.netty.buffer.CompositeByteBuf} around a caller's vector buffer
 * without copying it. Decoders are reusable flyweights: {@code wrap(buffer, offset, length)}
 * validates the whole frame up front and throws {@link io.hps.wire.MalformedFrameException};
 * afterwards accessors read at absolute indexes, allocate nothing (unless their Javadoc says so)
 * and never throw for indexes inside the counts the frame declares. A decoder never retains or
 * releases the buffer it wraps; the buffer must stay readable while the decoder is used.
 * Encoders and decoders are not thread-safe; use one decoder per thread.
 */
package io.hps.wire;
