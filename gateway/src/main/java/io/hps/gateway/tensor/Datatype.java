package io.hps.gateway.tensor;

/** The KServe v2 tensor datatypes the gateway reads and writes; tensor bytes are little-endian. */
public enum Datatype {
    FP32(4),
    INT32(4),
    INT64(8);

    private final int bytes;

    Datatype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The datatype named {@code name}, or null when the gateway has no use for it (BOOL, BYTES, FP16, ...). */
    static Datatype ofName(String name) {
        for (Datatype datatype : values()) {
            if (datatype.name().equals(name)) {
                return datatype;
            }
        }
        return null;
    }
}
