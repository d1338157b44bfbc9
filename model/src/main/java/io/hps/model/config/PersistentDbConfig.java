package io.hps.model.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The persistent tier, HugeCTR's {@code persistent_db} object (RocksDB on local disk).
 * {@link #defaults()} holds HugeCTR 24.06's defaults.
 *
 * @param type                   {@code type}
 * @param path                   {@code path}: database directory; default {@code <java.io.tmpdir>/rocksdb}
 * @param numThreads             {@code num_threads}
 * @param readOnly               {@code read_only}
 * @param maxBatchSize           {@code max_batch_size}: keys per chunk of a bulk get or set
 * @param initializeAfterStartup {@code initialize_after_startup}: fill from the sparse files at start-up
 * @param updateFilters          {@code update_filters}: regular expressions over update topics
 */
public record PersistentDbConfig(Type type, String path, int numThreads, boolean readOnly, long maxBatchSize,
        boolean initializeAfterStartup, List<String> updateFilters) {

    /** Persistent tier implementations, with HugeCTR's spellings (the first one is canonical). */
    public enum Type {
        DISABLED("disabled", "disable", "none"),
        ROCKS_DB("rocks_db", "rocksdb", "rocks");

        private final List<String> spellings;

        Type(String... spellings) {
            this.spellings = List.of(spellings);
        }

        public String jsonName() {
            return spellings.getFirst();
        }

        List<String> spellings() {
            return spellings;
        }
    }

    public PersistentDbConfig {
        updateFilters = List.copyOf(updateFilters);
        Checks.atLeast(1, "num_threads", numThreads);
        Checks.atLeast(1, "max_batch_size", maxBatchSize);
        if (type != Type.DISABLED) {
            Checks.notBlank("path", path);
        }
    }

    /** HugeCTR 24.06's {@code PersistentDatabaseParams()}: disabled. */
    public static PersistentDbConfig defaults() {
        String tmp = Path.of(System.getProperty("java.io.tmpdir"), "rocksdb").toString();
        return new PersistentDbConfig(Type.DISABLED, tmp, 16, false, 64L * 1024, true, List.of("^hps_.+$"));
    }
}
