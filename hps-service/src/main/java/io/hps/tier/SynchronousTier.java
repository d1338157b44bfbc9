package io.hps.tier;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Base of tiers whose work is synchronous: the {@code *Async} forms run the synchronous method
 * on {@link #asyncExecutor()}. A rejected task completes the future with
 * {@link TierStatus#UNAVAILABLE}.
 */
abstract class SynchronousTier implements EmbeddingTier {

    /** Where asynchronous calls run. */
    abstract Executor asyncExecutor();

    @Override
    public CompletableFuture<TierResult> getAsync(
            TierTable table, long[] keys, int count, MemorySegment out, boolean[] found, Deadline deadline) {
        TierArguments.checkGet(table, keys, count, out, found);
        return submit(() -> get(table, keys, count, out, found, deadline));
    }

    @Override
    public CompletableFuture<TierResult> putAsync(
            TierTable table, long[] keys, int count, MemorySegment vectors, Deadline deadline) {
        TierArguments.checkBatch(table, keys, count, vectors);
        return submit(() -> put(table, keys, count, vectors, deadline));
    }

    @Override
    public CompletableFuture<TierResult> removeAsync(TierTable table, long[] keys, int count, Deadline deadline) {
        TierArguments.checkKeys(keys, count);
        return submit(() -> remove(table, keys, count, deadline));
    }

    @Override
    public CompletableFuture<TierResult> sizeAsync(TierTable table, Deadline deadline) {
        return submit(() -> size(table, deadline));
    }

    @Override
    public CompletableFuture<TierResult> dropTableAsync(TierTable table, Deadline deadline) {
        return submit(() -> dropTable(table, deadline));
    }

    @Override
    public CompletableFuture<TierResult> scanAsync(
            TierTable table, int chunkKeys, EntryVisitor visitor, Deadline deadline) {
        TierArguments.checkChunk(chunkKeys);
        return submit(() -> scan(table, chunkKeys, visitor, deadline));
    }

    private CompletableFuture<TierResult> submit(Supplier<TierResult> call) {
        try {
            return CompletableFuture.supplyAsync(call, asyncExecutor());
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(TierResult.unavailable(0, "tier executor rejected the call"));
        }
    }
}
