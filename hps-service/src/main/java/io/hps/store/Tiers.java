package io.hps.store;

import io.hps.model.config.PersistentDbConfig;
import io.hps.model.config.VolatileDbConfig;
import io.hps.tier.EmbeddingTier;
import io.hps.tier.HashMapTier;
import io.hps.tier.HashMapTierSettings;
import io.hps.tier.OverflowPolicy;
import io.hps.tier.RedisTier;
import io.hps.tier.RedisTierSettings;
import io.hps.tier.RocksDbTier;
import io.hps.tier.RocksDbTierSettings;
import java.nio.file.Path;

/** Builds the tiers that {@code volatile_db} and {@code persistent_db} describe. */
public final class Tiers {
    private Tiers() {
    }

    /** The volatile tier, or {@code null} when disabled. */
    static EmbeddingTier volatileTier(VolatileDbConfig config, HpsSettings settings) {
        return switch (config.type()) {
            case DISABLED -> null;
            case HASH_MAP, PARALLEL_HASH_MAP, MULTI_PROCESS_HASH_MAP -> new HashMapTier(new HashMapTierSettings(
                    (int) Math.min(65536, config.numPartitions()),
                    Math.min(Integer.MAX_VALUE, config.overflowMargin()),
                    policy(config.overflowPolicy()),
                    config.overflowResolutionTarget(),
                    Math.max(4096, config.allocationRateBytes())));
            case REDIS_CLUSTER -> RedisTier.connect(redisSettings(config, settings));
        };
    }

    /**
     * The volatile tier to load through: the serving tier itself when it is in-process; for Redis,
     * a second client whose timeouts suit bulk writes (seconds, not the lookup's milliseconds),
     * which the caller closes after loading.
     */
    static EmbeddingTier loadingTier(VolatileDbConfig config, HpsSettings settings, EmbeddingTier servingTier) {
        if (config.type() != VolatileDbConfig.Type.REDIS_CLUSTER) {
            return servingTier;
        }
        return RedisTier.connect(redisSettings(config, settings).forBulkWrites());
    }

    /**
     * Settings of the Redis client that carries update notices: pub/sub is not on the lookup
     * path, so it gets the patient bulk settings.
     */
    public static RedisTierSettings updateChannelSettings(VolatileDbConfig config, HpsSettings settings) {
        return redisSettings(config, settings).forBulkWrites();
    }

    /** The persistent tier, or {@code null} when disabled. */
    static EmbeddingTier persistentTier(PersistentDbConfig config) {
        return switch (config.type()) {
            case DISABLED -> null;
            case ROCKS_DB -> RocksDbTier.open(new RocksDbTierSettings(Path.of(config.path()), config.readOnly(),
                    (int) Math.min(Integer.MAX_VALUE, config.maxBatchSize()), config.numThreads(),
                    Math.max(1, config.numThreads() / 2)));
        };
    }

    /**
     * Redis settings from {@code volatile_db}: one address means a single server, several
     * (comma-separated, as HugeCTR writes them) a cluster.
     */
    public static RedisTierSettings redisSettings(VolatileDbConfig config, HpsSettings settings) {
        String[] nodes = config.address().split(",");
        boolean cluster = nodes.length > 1;
        return RedisTierSettings.forInference(config.address(), cluster, (int) Math.min(65536, config.numPartitions()))
                .withTimeouts(settings.redisTimeoutMillis(), settings.redisRetryAttempts())
                .withMaxBatchKeys((int) Math.min(Integer.MAX_VALUE, config.maxBatchSize()));
    }

    private static OverflowPolicy policy(VolatileDbConfig.OverflowPolicy policy) {
        return switch (policy) {
            case EVICT_RANDOM -> OverflowPolicy.EVICT_RANDOM;
            case EVICT_LEAST_USED -> OverflowPolicy.EVICT_LEAST_USED;
            case EVICT_OLDEST -> OverflowPolicy.EVICT_OLDEST;
        };
    }
}
