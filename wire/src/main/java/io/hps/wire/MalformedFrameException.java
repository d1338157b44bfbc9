package io.hps.wire;

/**
 * A frame that breaks its layout: wrong magic, version or type, lengths that disagree, counts out
 * of range, sections that do not fit, misaligned tensors, an inverse index out of range or invalid
 * UTF-8. The message names the offending field as {@code key=value} pairs. A service answers it
 * with an {@link ErrorCode#MALFORMED_FRAME} error frame.
 */
public final class MalformedFrameException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, as {@code "what: key=value ..."} */
    public MalformedFrameException(String message) {
        super(message);
    }
}
