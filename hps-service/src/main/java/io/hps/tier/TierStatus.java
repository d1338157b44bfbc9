package io.hps.tier;

/** How a tier call ended. Only {@link #OK} means every key of the call was processed. */
public enum TierStatus {
    /** The call processed every key. */
    OK,
    /** The deadline passed before every key was processed; the result's count covers the processed part. */
    DEADLINE_EXCEEDED,
    /** The tier could not be reached or failed (connection refused, I/O error); keys not processed count as misses. */
    UNAVAILABLE
}
