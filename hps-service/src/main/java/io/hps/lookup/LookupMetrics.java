package io.hps.lookup;

import io.hps.tier.TierResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one model's lookups, registered once at start-up; recording is a few counter
 * increments per table lookup, never a registry lookup.
 *
 * <table>
 *   <caption>Meters (every one tagged {@code model})</caption>
 *   <tr><th>name</th><th>type</th><th>extra tags</th><th>meaning</th></tr>
 *   <tr><td>hps.lookups</td><td>counter</td><td></td><td>table lookups</td></tr>
 *   <tr><td>hps.lookup.keys</td><td>counter</td><td></td><td>keys asked for</td></tr>
 *   <tr><td>hps.lookup.unique.keys</td><td>counter</td><td></td><td>distinct keys per lookup, summed</td></tr>
 *   <tr><td>hps.lookup.hits</td><td>counter</td><td>tier (cache, or the tier kind)</td><td>distinct keys answered by that level</td></tr>
 *   <tr><td>hps.lookup.defaults</td><td>counter</td><td></td><td>distinct keys answered with the default vector</td></tr>
 *   <tr><td>hps.lookup.hit.ratio</td><td>gauge</td><td></td><td>cache hits over distinct keys since start</td></tr>
 *   <tr><td>hps.lookup.latency</td><td>timer</td><td></td><td>time of one table lookup before expansion</td></tr>
 *   <tr><td>hps.tier.latency</td><td>timer</td><td>tier</td><td>time of one tier call</td></tr>
 *   <tr><td>hps.tier.errors</td><td>counter</td><td>tier</td><td>tier calls that failed or ran out of time</td></tr>
 *   <tr><td>hps.cache.insertions.dropped</td><td>counter</td><td></td><td>background insertions dropped (queue full)</td></tr>
 *   <tr><td>hps.cache.insertions.background</td><td>counter</td><td></td><td>keys inserted by background insertions</td></tr>
 * </table>
 */
public final class LookupMetrics {
    private final Counter lookups;
    private final Counter keys;
    private final Counter uniqueKeys;
    private final Counter cacheHits;
    private final Counter defaults;
    private final Counter insertDropped;
    private final Counter inserted;
    private final Timer latency;
    private final Counter[] tierHits;
    private final Counter[] tierErrors;
    private final Timer[] tierLatency;

    /** @param tierKinds the metric name of each tier below the cache, in lookup order */
    public LookupMetrics(MeterRegistry registry, String model, List<String> tierKinds) {
        lookups = Counter.builder("hps.lookups").tag("model", model).register(registry);
        keys = Counter.builder("hps.lookup.keys").tag("model", model).register(registry);
        uniqueKeys = Counter.builder("hps.lookup.unique.keys").tag("model", model).register(registry);
        cacheHits = Counter.builder("hps.lookup.hits").tag("model", model).tag("tier", "cache").register(registry);
        defaults = Counter.builder("hps.lookup.defaults").tag("model", model).register(registry);
        insertDropped = Counter.builder("hps.cache.insertions.dropped").tag("model", model).register(registry);
        inserted = Counter.builder("hps.cache.insertions.background").tag("model", model).register(registry);
        latency = Timer.builder("hps.lookup.latency").tag("model", model).publishPercentileHistogram()
                .register(registry);
        Gauge.builder("hps.lookup.hit.ratio", this, LookupMetrics::hitRatio).tag("model", model).register(registry);
        int n = tierKinds.size();
        tierHits = new Counter[n];
        tierErrors = new Counter[n];
        tierLatency = new Timer[n];
        for (int i = 0; i < n; i++) {
            String kind = tierKinds.get(i);
            tierHits[i] = Counter.builder("hps.lookup.hits").tag("model", model).tag("tier", kind).register(registry);
            tierErrors[i] = Counter.builder("hps.tier.errors").tag("model", model).tag("tier", kind).register(registry);
            tierLatency[i] = Timer.builder("hps.tier.latency").tag("model", model).tag("tier", kind)
                    .publishPercentileHistogram().register(registry);
        }
    }

    /** Meters in a private registry, for tests and tools that publish nothing. */
    public static LookupMetrics unpublished(String model, List<String> tierKinds) {
        return new LookupMetrics(new SimpleMeterRegistry(), model, tierKinds);
    }

    /** Publishes a cache's occupancy and evictions as {@code hps.cache.occupancy} and {@code hps.cache.evictions}. */
    public static void bindCache(MeterRegistry registry, String model, String table, io.hps.cache.DeviceCache cache) {
        Gauge.builder("hps.cache.occupancy", cache, io.hps.cache.DeviceCache::occupancy)
                .tag("model", model).tag("table", table).register(registry);
        Gauge.builder("hps.cache.size", cache, c -> (double) c.size())
                .tag("model", model).tag("table", table).register(registry);
        FunctionCounter.builder("hps.cache.evictions", cache, c -> (double) c.evictions())
                .tag("model", model).tag("table", table).register(registry);
    }

    void record(LookupOutcome o, long nanos) {
        lookups.increment();
        keys.increment(o.keys());
        uniqueKeys.increment(o.uniqueKeys());
        cacheHits.increment(o.cacheHits());
        defaults.increment(o.defaults());
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    void recordTier(int tier, TierResult result, long nanos) {
        tierHits[tier].increment(result.count());
        tierLatency[tier].record(nanos, TimeUnit.NANOSECONDS);
        if (!result.isOk()) {
            tierErrors[tier].increment();
        }
    }

    void recordInsertDropped() {
        insertDropped.increment();
    }

    void recordInserted(int count) {
        inserted.increment(count);
    }

    private double hitRatio() {
        double unique = uniqueKeys.count();
        return unique == 0 ? 0 : cacheHits.count() / unique;
    }
}
