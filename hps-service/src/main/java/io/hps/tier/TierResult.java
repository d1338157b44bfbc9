package io.hps.tier;

/**
 * Outcome of one tier call: a status and a count whose meaning depends on the call (keys found
 * by {@code get}, pairs written by {@code put}, entries removed, entries in a table, entries
 * visited by {@code scan}). A result that is not {@link TierStatus#OK} still carries the count of
 * the part that completed, and a short human-readable reason for logs.
 *
 * @param status what happened
 * @param count  call-specific count, at least 0
 * @param reason empty for {@link TierStatus#OK}, otherwise why the call stopped
 */
public record TierResult(TierStatus status, long count, String reason) {
    private static final TierResult OK_ZERO = new TierResult(TierStatus.OK, 0, "");
    private static final TierResult DEADLINE_ZERO =
            new TierResult(TierStatus.DEADLINE_EXCEEDED, 0, "deadline passed");

    public TierResult {
        if (status == null || reason == null) {
            throw new IllegalArgumentException("status and reason must not be null: status=" + status);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0: count=" + count);
        }
    }

    /** A completed call. */
    public static TierResult ok(long count) {
        return count == 0 ? OK_ZERO : new TierResult(TierStatus.OK, count, "");
    }

    /** A call stopped by its deadline after {@code count} units of work. */
    public static TierResult deadlineExceeded(long count) {
        return count == 0 ? DEADLINE_ZERO : new TierResult(TierStatus.DEADLINE_EXCEEDED, count, "deadline passed");
    }

    /** A call the tier could not serve after {@code count} units of work. */
    public static TierResult unavailable(long count, String reason) {
        return new TierResult(TierStatus.UNAVAILABLE, count, reason);
    }

    /** Whether the call processed every key. */
    public boolean isOk() {
        return status == TierStatus.OK;
    }
}
