package io.hps.store;

/**
 * Receives progress while a model's sparse tables are loaded into the tiers and caches. Called on
 * the loading thread.
 */
@FunctionalInterface
public interface LoadProgress {
    LoadProgress NONE = (model, table, rowsDone, rowsTotal) -> { };

    /**
     * @param rowsDone  rows of {@code table} written so far
     * @param rowsTotal rows of {@code table} that will be written
     */
    void tableProgress(String model, String table, long rowsDone, long rowsTotal);
}
