package io.hps.transport.gpu;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where an ensemble request spends its time: {@link System#nanoTime()} stamps taken at each hop of a request in
 * both processes (on Linux both read {@code CLOCK_MONOTONIC}, so stamps of the two JVMs on one host compare), kept
 * for a bounded number of requests while recording, summarised as the median of each hop.
 *
 * <p>Stamps, in request order: {@link #SUBMIT} the caller's {@code score}, {@link #STAGE_START} the client's owner
 * thread starts staging, {@link #SENT} the request is handed to RSocket, {@link #SERVER_RECEIVED} the server's
 * event loop has the request, {@link #LOOKUP_START} the server's owner thread starts the lookup,
 * {@link #LOOKUP_DONE} the lookup is done on the device (synchronised), or only enqueued when the server replies
 * before the device has run it, {@link #REPLY_SENT} the response is handed
 * to RSocket, {@link #RECEIVED} the client's event loop has the response, {@link #FORWARD_START} the client's owner
 * thread starts the forward, {@link #FORWARD_DONE} the scores are on the host, {@link #RETURNED} the caller has
 * them.
 *
 * <p>Threads: one request at a time; stamps of a request are written by the threads it passes through, each
 * before it hands the request on (the hand-off publishes them).
 */
public final class HopLog {

    public static final int SUBMIT = 0;
    public static final int STAGE_START = 1;
    public static final int SENT = 2;
    public static final int SERVER_RECEIVED = 3;
    public static final int LOOKUP_START = 4;
    public static final int LOOKUP_DONE = 5;
    public static final int REPLY_SENT = 6;
    public static final int RECEIVED = 7;
    public static final int FORWARD_START = 8;
    public static final int FORWARD_DONE = 9;
    public static final int RETURNED = 10;
    public static final int STAMPS = 11;
    /** Server stamps travel in the response's metadata, {@link #SERVER_RECEIVED} to {@link #REPLY_SENT}. */
    public static final int SERVER_STAMPS = REPLY_SENT - SERVER_RECEIVED + 1;
    /** Server stamps taken before the reply's, which is written last in the metadata. */
    public static final int SERVER_STAMPS_BEFORE_REPLY = REPLY_SENT - SERVER_RECEIVED;

    private static final String[] HOPS = {"client owner wake", "stage", "request to server event loop",
        "server owner wake", "lookup", "reply hand-off", "reply to client event loop", "client owner wake",
        "forward", "caller wake"};

    private final long[] current = new long[STAMPS];
    private long[][] rows = new long[0][];
    private int recorded;

    /** Starts keeping the stamps of the next {@code requests} requests, dropping those kept so far. */
    public void record(int requests) {
        rows = new long[requests][STAMPS];
        recorded = 0;
    }

    public void stamp(int index) {
        current[index] = System.nanoTime();
    }

    public void stamp(int index, long nanos) {
        current[index] = nanos;
    }

    /** Stamps {@link #RETURNED} and keeps the request's stamps if still recording. */
    public void returned() {
        current[RETURNED] = System.nanoTime();
        if (recorded < rows.length) {
            System.arraycopy(current, 0, rows[recorded++], 0, STAMPS);
        }
    }

    /** Median of each hop over the kept requests, microseconds, e.g. {@code lookup=12.3us}; empty if none. */
    public String summary() {
        StringBuilder out = new StringBuilder();
        for (int h = 0; h < HOPS.length && recorded > 0; h++) {
            double[] us = new double[recorded];
            for (int r = 0; r < recorded; r++) {
                us[r] = (rows[r][h + 1] - rows[r][h]) / 1e3;
            }
            Arrays.sort(us);
            out.append(String.format(Locale.ROOT, "%s%s=%.1fus", h == 0 ? "" : ", ", HOPS[h], us[recorded / 2]));
        }
        return out.toString();
    }
}
