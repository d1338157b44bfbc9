package io.hps.model.config;

import java.util.List;

/**
 * The volatile tier, HugeCTR's {@code volatile_db} object: an in-process hash map or a Redis
 * cluster holding embeddings in RAM. Components carry HugeCTR's JSON field names in their Javadoc;
 * {@link #defaults()} holds HugeCTR 24.06's defaults.
 *
 * @param type                        {@code type}
 * @param address                     {@code address}, Redis nodes {@code host[:port][,host[:port]...]}
 * @param userName                    {@code user_name}
 * @param password                    {@code password}, empty for none
 * @param numPartitions               {@code num_partitions}: partitions per table
 * @param allocationRateBytes         {@code allocation_rate}: bytes per allocation of the hash maps
 * @param sharedMemorySizeBytes       {@code shared_memory_size} (multi-process hash map only)
 * @param sharedMemoryName            {@code shared_memory_name} (multi-process hash map only)
 * @param sharedMemoryAutoRemove      {@code shared_memory_auto_remove} (multi-process hash map only)
 * @param numNodeConnections          {@code num_node_connections}: connections per Redis node
 * @param maxBatchSize                {@code max_batch_size}: keys per chunk of a bulk get or set
 * @param enableTls                   {@code enable_tls}
 * @param tlsCaCertificate            {@code tls_ca_certificate}
 * @param tlsClientCertificate        {@code tls_client_certificate}
 * @param tlsClientKey                {@code tls_client_key}
 * @param tlsServerNameIdentification {@code tls_server_name_identification}
 * @param overflowMargin              {@code overflow_margin}: embeddings per partition before eviction;
 *                                    {@link Long#MAX_VALUE} means unbounded (HugeCTR's {@code 2^64-1})
 * @param overflowPolicy              {@code overflow_policy}
 * @param overflowResolutionTarget    {@code overflow_resolution_target}: fraction of {@code overflowMargin}
 *                                    kept after an eviction, in (0, 1)
 * @param initializeAfterStartup      {@code initialize_after_startup}: fill from the sparse files at start-up
 * @param initialCacheRate            {@code initial_cache_rate}: fraction of each table loaded at start-up, in [0, 1]
 * @param cacheMissedEmbeddings       {@code cache_missed_embeddings}: insert rows found in the persistent tier
 * @param updateFilters               {@code update_filters}: regular expressions over update topics
 */
public record VolatileDbConfig(Type type, String address, String userName, String password, long numPartitions,
        long allocationRateBytes, long sharedMemorySizeBytes, String sharedMemoryName, boolean sharedMemoryAutoRemove,
        long numNodeConnections, long maxBatchSize, boolean enableTls, String tlsCaCertificate,
        String tlsClientCertificate, String tlsClientKey, String tlsServerNameIdentification, long overflowMargin,
        OverflowPolicy overflowPolicy, double overflowResolutionTarget, boolean initializeAfterStartup,
        double initialCacheRate, boolean cacheMissedEmbeddings, List<String> updateFilters) {

    /** Volatile tier implementations, with HugeCTR's spellings (the first one is canonical). */
    public enum Type {
        DISABLED("disabled", "disable", "none"),
        HASH_MAP("hash_map", "hashmap", "hash", "map"),
        PARALLEL_HASH_MAP("parallel_hash_map", "parallel_hashmap", "parallel_hash", "parallel_map"),
        MULTI_PROCESS_HASH_MAP("multi_process_hash_map", "multi_process_hashmap", "multi_process_hash",
                "multi_process_map"),
        REDIS_CLUSTER("redis_cluster", "redis");

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

    /** Which embeddings an overflowing partition drops first. */
    public enum OverflowPolicy {
        EVICT_RANDOM("evict_random", "random"),
        EVICT_LEAST_USED("evict_least_used", "least_used"),
        EVICT_OLDEST("evict_oldest", "oldest");

        private final List<String> spellings;

        OverflowPolicy(String... spellings) {
            this.spellings = List.of(spellings);
        }

        public String jsonName() {
            return spellings.getFirst();
        }

        List<String> spellings() {
            return spellings;
        }
    }

    /** HugeCTR's default when no {@code num_partitions} is given: {@code min(16, hardware threads)}. */
    public static final long DEFAULT_NUM_PARTITIONS = Math.min(16, Runtime.getRuntime().availableProcessors());

    public VolatileDbConfig {
        updateFilters = List.copyOf(updateFilters);
        Checks.atLeast(1, "num_partitions", numPartitions);
        Checks.atLeast(1, "allocation_rate", allocationRateBytes);
        Checks.atLeast(1, "shared_memory_size", sharedMemorySizeBytes);
        Checks.atLeast(1, "num_node_connections", numNodeConnections);
        Checks.atLeast(1, "max_batch_size", maxBatchSize);
        Checks.atLeast(1, "overflow_margin", overflowMargin);
        Checks.require(overflowResolutionTarget > 0 && overflowResolutionTarget < 1, "overflow_resolution_target",
                "must be in (0, 1)", overflowResolutionTarget);
        Checks.fraction("initial_cache_rate", initialCacheRate);
        if (type == Type.REDIS_CLUSTER) {
            Checks.notBlank("address", address);
        }
    }

    /** HugeCTR 24.06's {@code VolatileDatabaseParams()}: what applies when ps.json has no {@code volatile_db}. */
    public static VolatileDbConfig defaults() {
        return new VolatileDbConfig(Type.PARALLEL_HASH_MAP, "127.0.0.1:7000", "default", "", DEFAULT_NUM_PARTITIONS,
                256L << 20, 16L << 30, "hctr_mp_hash_map_database", true, 5, 64L * 1024, false,
                "cacertbundle.crt", "client_cert.pem", "client_key.pem", "redis.localhost", Long.MAX_VALUE,
                OverflowPolicy.EVICT_RANDOM, 0.8, true, 1.0, false, List.of("^hps_.+$"));
    }

    /** Whether the number of embeddings per partition is bounded. */
    public boolean overflowBounded() {
        return overflowMargin != Long.MAX_VALUE;
    }
}
