package io.hps.store;

import io.hps.lookup.LookupSettings;

/**
 * Settings of the parameter server that HugeCTR's {@code ps.json} does not carry.
 *
 * @param lookup                  lookup sessions: tier deadline, workspaces, background queue
 * @param redisTimeoutMillis      Redis command timeout (Redisson's 3 s default is replaced)
 * @param redisRetryAttempts      Redis retries of a failed command (Redisson's 4 is replaced)
 * @param loadThreads             tables loaded in parallel at start-up
 */
public record HpsSettings(LookupSettings lookup, int redisTimeoutMillis, int redisRetryAttempts, int loadThreads) {
    public static final HpsSettings DEFAULTS = new HpsSettings(LookupSettings.DEFAULTS, 20, 1,
            Math.max(1, Runtime.getRuntime().availableProcessors()));

    public HpsSettings {
        if (redisTimeoutMillis < 1 || redisRetryAttempts < 0 || loadThreads < 1) {
            throw new IllegalArgumentException("invalid settings: redisTimeoutMillis=" + redisTimeoutMillis
                    + " redisRetryAttempts=" + redisRetryAttempts + " loadThreads=" + loadThreads);
        }
    }

    public HpsSettings withLookup(LookupSettings settings) {
        return new HpsSettings(settings, redisTimeoutMillis, redisRetryAttempts, loadThreads);
    }
}
