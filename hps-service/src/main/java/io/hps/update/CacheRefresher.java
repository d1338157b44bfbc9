package io.hps.update;

import io.hps.lookup.LookupSession;
import io.hps.lookup.LookupTable;
import io.hps.model.config.ModelHpsConfig;
import io.hps.store.ParameterServer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads cached embeddings from the tiers every {@code refresh_interval} seconds (after
 * {@code refresh_delay}), {@code cache_refresh_percentage_per_iteration} of each cache per pass,
 * so that replicas which missed an {@link UpdateNotice} converge. Models with a refresh interval
 * of 0 are not refreshed. One daemon thread for all models.
 */
public final class CacheRefresher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CacheRefresher.class);

    private final ParameterServer server;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("hps-refresh").daemon().factory());

    public CacheRefresher(ParameterServer server) {
        this.server = server;
    }

    /** Schedules every model whose {@code refresh_interval} is positive. */
    public CacheRefresher start() {
        for (ModelHpsConfig model : server.config().models()) {
            if (model.refreshIntervalSeconds() > 0) {
                long delay = (long) (model.refreshDelaySeconds() * 1000);
                long interval = Math.max(1, (long) (model.refreshIntervalSeconds() * 1000));
                timer.scheduleWithFixedDelay(() -> refreshQuietly(model), delay, interval, TimeUnit.MILLISECONDS);
            }
        }
        return this;
    }

    private void refreshQuietly(ModelHpsConfig model) {
        try {
            refresh(model.model(), model.cacheRefreshPercentagePerIteration());
        } catch (RuntimeException e) {
            log.warn("cache refresh failed: model={} error={}", model.model(), e.toString());
        }
    }

    /**
     * One refresh pass over every cached table of {@code model}: up to {@code fraction} of each
     * cache's resident keys (all when {@code fraction} is 0 or 1), in chunks of the table's batch.
     *
     * @return keys overwritten
     */
    public long refresh(String model, double fraction) {
        LookupSession session = server.session(model).orElse(null);
        if (session == null) {
            return 0;
        }
        long refreshed = 0;
        for (int t = 0; t < session.tables().size(); t++) {
            refreshed += refreshTable(session, t, fraction);
        }
        return refreshed;
    }

    private static long refreshTable(LookupSession session, int t, double fraction) {
        LookupTable table = session.tables().get(t);
        if (table.cache() == null) {
            return 0;
        }
        long size = table.cache().size();
        long limit = fraction <= 0 || fraction >= 1 ? Long.MAX_VALUE : (long) Math.ceil(size * fraction);
        long[][] keys = {new long[(int) Math.min(Math.max(16, size), 1 << 20)]};
        int[] n = {0};
        table.cache().dumpKeys(key -> {
            if (n[0] < limit) {
                if (n[0] == keys[0].length) {
                    keys[0] = java.util.Arrays.copyOf(keys[0], keys[0].length * 2);
                }
                keys[0][n[0]++] = key;
            }
        });
        long[] chunk = new long[table.maxKeys()];
        long refreshed = 0;
        for (int from = 0; from < n[0]; from += chunk.length) {
            int len = Math.min(chunk.length, n[0] - from);
            System.arraycopy(keys[0], from, chunk, 0, len);
            refreshed += session.refreshCached(t, chunk, len);
        }
        return refreshed;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
