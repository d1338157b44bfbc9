package io.hps.wire;

/** Outcome of a lookup that produced vectors; failures travel as {@link ErrorFrameDecoder} frames. */
public enum LookupStatus {
    /** Every vector came from a cache or a tier. */
    OK(0),
    /**
     * Some vectors are their table's default vector: the key was found nowhere, or the hit rate
     * was at or above the threshold and the misses were answered before the tiers were read.
     */
    DEFAULTS_USED(1);

    private final int code;

    LookupStatus(int code) {
        this.code = code;
    }

    /** The value of the status byte on the wire. */
    public int code() {
        return code;
    }

    static LookupStatus ofCode(int code) {
        return switch (code) {
            case 0 -> OK;
            case 1 -> DEFAULTS_USED;
            default -> null;
        };
    }
}
