package io.hps.tier;

import java.nio.file.Path;

/**
 * Settings of a {@link RocksDbTier}, named after HugeCTR's {@code persistent_db} fields.
 *
 * @param path               database directory ({@code path}); created if missing unless read-only
 * @param readOnly           open for reading only ({@code read_only}); writes then fail
 * @param maxBatchKeys       keys per MultiGet or write batch ({@code max_batch_size}), at least 1
 * @param backgroundThreads  RocksDB compaction and flush threads ({@code num_threads}), at least 1
 * @param asyncThreads       threads that run the asynchronous forms, at least 1
 */
public record RocksDbTierSettings(Path path, boolean readOnly, int maxBatchKeys, int backgroundThreads,
                                  int asyncThreads) {
    public RocksDbTierSettings {
        if (path == null) {
            throw new IllegalArgumentException("path must not be null");
        }
        if (maxBatchKeys < 1) {
            throw new IllegalArgumentException("maxBatchKeys must be >= 1: maxBatchKeys=" + maxBatchKeys);
        }
        if (backgroundThreads < 1 || asyncThreads < 1) {
            throw new IllegalArgumentException("thread counts must be >= 1: backgroundThreads=" + backgroundThreads
                    + " asyncThreads=" + asyncThreads);
        }
    }

    /** A writable database at {@code path}: batches of 4096 keys, 4 background and 4 async threads. */
    public static RocksDbTierSettings writable(Path path) {
        return new RocksDbTierSettings(path, false, 4096, 4, 4);
    }
}
