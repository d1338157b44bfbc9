package io.hps.tier;

import java.util.List;

/**
 * Settings of a {@link RedisTier}. The defaults suit millisecond inference rather than
 * Redisson's (3 s timeout, 4 retries): a call fails fast and the lookup treats its keys as misses.
 *
 * @param nodes                   {@code host:port} of the server, or of any cluster nodes (HugeCTR's
 *                                comma-separated {@code address}), at least one
 * @param cluster                 Redis Cluster ({@code redis_cluster}) rather than one server
 * @param partitions              Redis hashes per table ({@code num_partitions}), 1 to 65536
 * @param maxBatchKeys            most fields in one HMGET/HSET/HDEL ({@code max_batch_size}), at least 1
 * @param commandTimeoutMillis    Redisson response timeout per command, at least 1
 * @param retryAttempts           Redisson retries of a failed command, 0 to 10
 * @param retryIntervalMillis     delay between retries, at least 0
 * @param connectTimeoutMillis    TCP connect timeout, at least 1
 * @param reconnectIntervalMillis delay between reconnection attempts to a lost node, at least 1
 * @param pingIntervalMillis      PING of idle connections to detect dead ones, 0 = off
 * @param connectionPoolSize      connections per node, at least 1
 * @param minimumIdleConnections  connections opened eagerly per node, 0 to {@code connectionPoolSize}
 * @param ioThreads               Netty event loop threads of the client, at least 1
 * @param userName                ACL user, empty for none ({@code user_name})
 * @param password                password, empty for none ({@code password})
 * @param overflowMarginEntries   most entries a partition should hold ({@code overflow_margin}), at least 1;
 *                                {@link Long#MAX_VALUE} = unbounded
 * @param overflowResolutionTarget fraction of the margin an overflowing partition is evicted down to
 *                                ({@code overflow_resolution_target}), in (0, 1]
 */
public record RedisTierSettings(
        List<String> nodes,
        boolean cluster,
        int partitions,
        int maxBatchKeys,
        int commandTimeoutMillis,
        int retryAttempts,
        int retryIntervalMillis,
        int connectTimeoutMillis,
        int reconnectIntervalMillis,
        int pingIntervalMillis,
        int connectionPoolSize,
        int minimumIdleConnections,
        int ioThreads,
        String userName,
        String password,
        long overflowMarginEntries,
        double overflowResolutionTarget) {

    public RedisTierSettings {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty() || nodes.stream().anyMatch(n -> !n.matches("[^:,\\s]+:\\d{1,5}"))) {
            throw new IllegalArgumentException("nodes must be host:port entries: nodes=" + nodes);
        }
        require(partitions >= 1 && partitions <= 65536, "partitions", partitions);
        require(maxBatchKeys >= 1, "maxBatchKeys", maxBatchKeys);
        require(commandTimeoutMillis >= 1, "commandTimeoutMillis", commandTimeoutMillis);
        require(retryAttempts >= 0 && retryAttempts <= 10, "retryAttempts", retryAttempts);
        require(retryIntervalMillis >= 0, "retryIntervalMillis", retryIntervalMillis);
        require(connectTimeoutMillis >= 1, "connectTimeoutMillis", connectTimeoutMillis);
        require(reconnectIntervalMillis >= 1, "reconnectIntervalMillis", reconnectIntervalMillis);
        require(pingIntervalMillis >= 0, "pingIntervalMillis", pingIntervalMillis);
        require(connectionPoolSize >= 1, "connectionPoolSize", connectionPoolSize);
        require(minimumIdleConnections >= 0 && minimumIdleConnections <= connectionPoolSize,
                "minimumIdleConnections", minimumIdleConnections);
        require(ioThreads >= 1, "ioThreads", ioThreads);
        if (userName == null || password == null) {
            throw new IllegalArgumentException("userName and password must not be null (use empty strings)");
        }
        if (overflowMarginEntries < 1) {
            throw new IllegalArgumentException("overflowMarginEntries must be >= 1: overflowMarginEntries=" + overflowMarginEntries);
        }
        if (!(overflowResolutionTarget > 0 && overflowResolutionTarget <= 1)) {
            throw new IllegalArgumentException(
                    "overflowResolutionTarget must be in (0, 1]: overflowResolutionTarget=" + overflowResolutionTarget);
        }
    }

    /** All settings except the password, which shows as {@code ***} when set. */
    @Override
    public String toString() {
        return "RedisTierSettings[nodes=" + nodes + ", cluster=" + cluster + ", partitions=" + partitions
                + ", maxBatchKeys=" + maxBatchKeys + ", commandTimeoutMillis=" + commandTimeoutMillis
                + ", retryAttempts=" + retryAttempts + ", retryIntervalMillis=" + retryIntervalMillis
                + ", connectTimeoutMillis=" + connectTimeoutMillis + ", reconnectIntervalMillis=" + reconnectIntervalMillis
                + ", pingIntervalMillis=" + pingIntervalMillis + ", connectionPoolSize=" + connectionPoolSize
                + ", minimumIdleConnections=" + minimumIdleConnections + ", ioThreads=" + ioThreads
                + ", userName=" + userName + ", password=" + (password.isEmpty() ? "" : "***")
                + ", overflowMarginEntries=" + overflowMarginEntries
                + ", overflowResolutionTarget=" + overflowResolutionTarget + "]";
    }

    /** Whether partitions are bounded by {@link #overflowMarginEntries()}. */
    public boolean bounded() {
        return overflowMarginEntries != Long.MAX_VALUE;
    }

    /** Entries an overflowing partition keeps: {@code round(margin * target)}, below the margin. */
    public long overflowResolutionEntries() {
        long target = (long) (overflowMarginEntries * overflowResolutionTarget + 0.5);
        return Math.min(target, overflowMarginEntries - 1);
    }

    /**
     * Inference defaults for {@code address} (HugeCTR form {@code host:port[,host:port...]}):
     * 50 ms command timeout, 1 retry after 5 ms, 1 s connect timeout (start-up and reconnects only;
     * calls are bounded by their deadlines), reconnect every 100 ms,
     * ping every second, 8 connections per node, 2 I/O threads, batches of 4096 keys, unbounded
     * partitions.
     */
    public static RedisTierSettings forInference(String address, boolean cluster, int partitions) {
        return new RedisTierSettings(List.of(address.split(",")), cluster, partitions, 4096,
                50, 1, 5, 1000, 100, 1000, 8, 1, 2, "", "", Long.MAX_VALUE, 0.8);
    }

    /** These settings with partitions bounded to {@code marginEntries}, evicted down to {@code target} of it. */
    public RedisTierSettings withOverflow(long marginEntries, double target) {
        return new RedisTierSettings(nodes, cluster, partitions, maxBatchKeys, commandTimeoutMillis, retryAttempts,
                retryIntervalMillis, connectTimeoutMillis, reconnectIntervalMillis, pingIntervalMillis,
                connectionPoolSize, minimumIdleConnections, ioThreads, userName, password, marginEntries, target);
    }

    /** These settings with another command timeout and retry count. */
    public RedisTierSettings withTimeouts(int commandTimeoutMillis, int retryAttempts) {
        return new RedisTierSettings(nodes, cluster, partitions, maxBatchKeys, commandTimeoutMillis, retryAttempts,
                retryIntervalMillis, connectTimeoutMillis, reconnectIntervalMillis, pingIntervalMillis,
                connectionPoolSize, minimumIdleConnections, ioThreads, userName, password, overflowMarginEntries,
                overflowResolutionTarget);
    }

    /**
     * These settings for bulk writes (loading a model): 10 s command timeout, 3 retries 200 ms
     * apart (Redisson also bounds the wait for a pooled connection by the retry interval, which the
     * lookup settings keep at a few milliseconds), 2 s connect timeout.
     */
    public RedisTierSettings forBulkWrites() {
        return new RedisTierSettings(nodes, cluster, partitions, maxBatchKeys, 10_000, 3, 200, 2_000,
                reconnectIntervalMillis, pingIntervalMillis, connectionPoolSize, minimumIdleConnections, ioThreads,
                userName, password, overflowMarginEntries, overflowResolutionTarget);
    }

    /** These settings with another batch size. */
    public RedisTierSettings withMaxBatchKeys(int maxBatchKeys) {
        return new RedisTierSettings(nodes, cluster, partitions, maxBatchKeys, commandTimeoutMillis, retryAttempts,
                retryIntervalMillis, connectTimeoutMillis, reconnectIntervalMillis, pingIntervalMillis,
                connectionPoolSize, minimumIdleConnections, ioThreads, userName, password, overflowMarginEntries,
                overflowResolutionTarget);
    }

    private static void require(boolean condition, String name, int value) {
        if (!condition) {
            throw new IllegalArgumentException("invalid redis tier setting: " + name + "=" + value);
        }
    }
}
