package io.hps.model.dense;

import java.io.IOException;

/**
 * A well-formed weights file does not hold what the model expects: a tensor is missing, extra, of
 * the wrong dtype or the wrong shape. The message names the file and the tensor.
 */
public final class WeightsMismatchException extends IOException {

    public WeightsMismatchException(String message) {
        super(message);
    }
}
