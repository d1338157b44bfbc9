package io.hps.gateway.tensor;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * One request input: name, datatype, shape and its elements, little-endian and dense.
 *
 * <p>Ownership: the tensor owns one reference of {@code data}, either a direct buffer the JSON
 * elements were written into or a retained slice of the HTTP request body (binary extension);
 * {@link InferenceRequest#close()} releases it.
 *
 * @param shape dimensions, each at least 0; their product is the element count
 */
public record InputTensor(String name, Datatype datatype, long[] shape, ByteBuf data) {
    /** Elements in {@code data}. */
    public long elementCount() {
        return data.readableBytes() / datatype.bytes();
    }

    /** The shape as {@code [a, b]}. */
    public String shapeText() {
        return Arrays.toString(shape);
    }
}
