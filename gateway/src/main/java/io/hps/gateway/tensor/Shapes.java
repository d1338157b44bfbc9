package io.hps.gateway.tensor;

import java.util.Arrays;

/** Checks that a shape is well-formed and describes exactly the bytes a tensor carries. */
final class Shapes {
    private Shapes() {
    }

    /** @throws RejectedRequestException (400) for a negative or overflowing shape, or a size mismatch */
    static void check(String input, long[] shape, Datatype datatype, long bytes) {
        long elements = 1;
        for (long dim : shape) {
            InferenceRequestReader.require(dim >= 0, "input " + input + ": shape " + Arrays.toString(shape)
                    + " has a negative dimension");
            try {
                elements = Math.multiplyExact(elements, dim);
            } catch (ArithmeticException e) {
                throw RejectedRequestException.badRequest("input " + input + ": shape " + Arrays.toString(shape)
                        + " overflows");
            }
        }
        InferenceRequestReader.require(bytes % datatype.bytes() == 0, "input " + input + ": " + bytes
                + " bytes of data is not a whole number of " + datatype + " elements");
        InferenceRequestReader.require(elements == bytes / datatype.bytes(), "input " + input + ": shape "
                + Arrays.toString(shape) + " needs " + elements + " elements but the data has "
                + bytes / datatype.bytes());
    }
}
