package io.hps.load;

/**
 * The server's view of a measurement: successful requests, and mean milliseconds per request of
 * the whole request and of its parts (Triton's queue, compute input, compute infer, compute output).
 */
record ServerBreakdown(long requests, double requestMillis, double queueMillis, double computeInputMillis,
                       double computeInferMillis, double computeOutputMillis) {
    static final ServerBreakdown NONE = new ServerBreakdown(0, 0, 0, 0, 0, 0);
}
