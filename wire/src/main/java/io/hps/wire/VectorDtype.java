package io.hps.wire;

/** Element type of embedding vectors on the wire; all little-endian. */
public enum VectorDtype {
    /** IEEE 754 binary32. */
    F32(1, 4),
    /** IEEE 754 binary16 ({@link Float#floatToFloat16}). */
    F16(2, 2),
    /** bfloat16: the upper 16 bits of a binary32, rounded to nearest even. */
    BF16(3, 2);

    private final int code;
    private final int bytes;

    VectorDtype(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** The value of the dtype byte on the wire. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The dtype with this code, or {@code null} when no dtype has it. */
    static VectorDtype ofCode(int code) {
        return switch (code) {
            case 1 -> F32;
            case 2 -> F16;
            case 3 -> BF16;
            default -> null;
        };
    }
}
