package io.hps.model.dense;

import java.util.List;

/**
 * One tensor entry of a safetensors header.
 *
 * @param name  tensor name
 * @param dtype element type
 * @param shape dimensions, outermost first; empty for a scalar
 * @param begin first byte of the data, relative to the start of the data section (after the header)
 * @param end   one past the last byte, relative to the start of the data section
 */
public record TensorInfo(String name, Dtype dtype, List<Long> shape, long begin, long end) {

    public TensorInfo {
        shape = List.copyOf(shape);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("bad data offsets: tensor=" + name + " begin=" + begin + " end=" + end);
        }
    }

    /** Bytes of data: {@code end - begin}. */
    public long byteSize() {
        return end - begin;
    }

    /** Product of the shape, 1 for a scalar; throws {@link ArithmeticException} on overflow. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
