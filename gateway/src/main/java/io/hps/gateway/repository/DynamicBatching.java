package io.hps.gateway.repository;

import java.util.List;

/**
 * Dynamic batching and admission settings of one model, as in Triton's {@code dynamic_batching}.
 *
 * @param maxQueueDelayMicros  longest a request waits for others to join its batch; 0 sends at once
 * @param preferredBatchSizes  sample counts that send a batch at once when reached, ascending
 * @param maxQueueSize         requests that may wait for a batch; one more is refused with 429
 * @param maxInflightBatches   batches sent to the backend and not yet answered, at most
 */
public record DynamicBatching(long maxQueueDelayMicros, List<Integer> preferredBatchSizes, int maxQueueSize,
                              int maxInflightBatches) {
    public static final DynamicBatching DEFAULTS = new DynamicBatching(0, List.of(), 128, 16);

    public DynamicBatching {
        preferredBatchSizes = List.copyOf(preferredBatchSizes);
        RepositoryException.require(maxQueueDelayMicros >= 0, "dynamic_batching.max_queue_delay_us", "must be >= 0",
                maxQueueDelayMicros);
        RepositoryException.require(preferredBatchSizes.stream().allMatch(s -> s >= 1),
                "dynamic_batching.preferred_batch_sizes", "must all be >= 1", preferredBatchSizes);
        RepositoryException.require(maxQueueSize >= 1, "dynamic_batching.max_queue_size", "must be >= 1",
                maxQueueSize);
        RepositoryException.require(maxInflightBatches >= 1, "dynamic_batching.max_inflight_batches", "must be >= 1",
                maxInflightBatches);
    }
}
