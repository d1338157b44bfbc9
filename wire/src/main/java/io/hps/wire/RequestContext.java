package io.hps.wire;

/**
 * What every request frame carries besides its tensors.
 *
 * @param model          model name, 1..255 UTF-8 bytes
 * @param requestId      opaque id chosen by the caller, echoed in the response or error frame
 * @param deadlineMicros deadline in microseconds since the Unix epoch; 0 means none
 */
public record RequestContext(String model, long requestId, long deadlineMicros) {
    public RequestContext {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        Frames.nameBytes(model, "model");
        if (deadlineMicros < 0) {
            throw new IllegalArgumentException("deadline must be >= 0: deadlineMicros=" + deadlineMicros);
        }
    }
}
