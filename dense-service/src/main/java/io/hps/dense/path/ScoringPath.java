package io.hps.dense.path;

import io.hps.model.DlrmArchitecture;
import io.hps.wire.EmbeddingSection;
import java.lang.foreign.MemorySegment;

/**
 * Scores batches for one served model instance: dense features and categorical keys in, click
 * probabilities out. One implementation per {@link PathKind}; made by {@link ScoringPaths}.
 *
 * <p>Inputs: little-endian memory segments readable from any thread (heap-backed NIO buffers,
 * direct buffers, shared or global arenas; not confined arenas), owned by the caller and not
 * changed until the call returns. Dense features are float32 {@code [batch, denseFeatures]},
 * keys int64 {@code [batch, tables]}, both sample-major. Dense features must be finite: a NaN or
 * an infinity is refused with {@link io.hps.wire.ErrorCode#BAD_REQUEST} naming the sample and
 * the feature. {@code out} receives {@code batch} probabilities.
 *
 * <p>Threads: every method may be called from any number of threads at once, never from an event
 * loop: calls block until the batch is scored (up to the configured number of batches run at
 * once; further callers wait for a workspace).
 */
public interface ScoringPath extends AutoCloseable {

    /** Name of the served instance (requests address it). */
    String name();

    PathKind kind();

    DlrmArchitecture architecture();

    /** Largest batch accepted. */
    int maxBatchSize();

    /** The instance's meters; the transport counts each request's outcome on them. */
    PathMetrics metrics();

    /**
     * Looks up the embeddings of {@code keys} and scores the batch ("infer").
     *
     * @throws ScoringException when the input is invalid (nothing was done) or the lookup failed
     */
    void score(int batch, MemorySegment dense, MemorySegment keys, float[] out);

    /**
     * Scores a batch whose embeddings come with it ("score"), in any layout and dtype of an
     * inline {@link EmbeddingSection} with {@code batch} keys per table; read in place.
     *
     * @throws ScoringException when the input or the section's shape is invalid
     */
    void scoreEmbeddings(int batch, MemorySegment dense, EmbeddingSection embeddings, float[] out);

    /** Stops the network and frees the path's memory; the caller stops calling first. */
    @Override
    void close();
}
