package io.hps.model.gen;

/**
 * Receives progress of {@link SyntheticModelGenerator#generate}: on the thread that called
 * {@code generate}, a few times a second while it runs, and once more when everything is written
 * (then {@code bytesWritten == bytesTotal}). Must not block for long.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Ignores progress. */
    ProgressListener NONE = progress -> { };

    void onProgress(GenerationProgress progress);
}
