package io.hps.gateway.tensor;

import io.netty.buffer.ByteBuf;

/**
 * One response output; FP32 little-endian elements in {@code data}, whose one reference the
 * tensor owns until {@link InferenceResponseWriter#write} takes it.
 */
public record OutputTensor(String name, Datatype datatype, long[] shape, ByteBuf data) {
}
