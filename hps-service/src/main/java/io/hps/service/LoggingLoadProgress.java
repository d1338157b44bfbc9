package io.hps.service;

import io.hps.store.LoadProgress;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs each table's loading at every tenth of its rows and when it completes. */
final class LoggingLoadProgress implements LoadProgress {
    private static final Logger log = LoggerFactory.getLogger(LoggingLoadProgress.class);
    private final ConcurrentHashMap<String, Integer> lastDecile = new ConcurrentHashMap<>();

    @Override
    public void tableProgress(String model, String table, long rowsDone, long rowsTotal) {
        int decile = rowsTotal == 0 ? 10 : (int) (rowsDone * 10 / rowsTotal);
        String key = model + '/' + table;
        Integer previous = lastDecile.put(key, decile);
        if (previous == null || previous != decile) {
            log.info("loading model={} table={} rows={}/{} ({}%)", model, table, rowsDone, rowsTotal, decile * 10);
        }
    }
}
