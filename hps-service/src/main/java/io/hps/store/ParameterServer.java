package io.hps.store;

import io.hps.cache.DeviceCache;
import io.hps.cache.DeviceCacheConfig;
import io.hps.lookup.LookupMetrics;
import io.hps.lookup.LookupSession;
import io.hps.lookup.LookupTable;
import io.hps.model.config.ModelHpsConfig;
import io.hps.model.config.PsConfig;
import io.hps.model.sparse.SparseTable;
import io.hps.tier.EmbeddingTier;
import io.hps.tier.TierTable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hierarchical parameter server of one process: the volatile and persistent tiers that
 * {@code ps.json} describes, shared by its models, and per model a cache per table and a
 * {@link LookupSession}. Plain Java: the services wrap it, tests and tools use it directly.
 *
 * <p>Life cycle: {@link #create} builds the tiers (connecting to Redis, opening RocksDB);
 * {@link #load} reads the sparse files into the hierarchy on a loader thread and only then makes
 * the sessions available; {@link #ready()} turns true when every model is loaded.
 */
public final class ParameterServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParameterServer.class);

    private final PsConfig config;
    private final HpsSettings settings;
    private final MeterRegistry registry;
    private final EmbeddingTier volatileTier;
    private final EmbeddingTier persistentTier;
    private final Map<String, LookupSession> sessions = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<DeviceCache> caches = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong loadMillis = new AtomicLong(-1);
    private volatile boolean ready;

    private ParameterServer(PsConfig config, HpsSettings settings, MeterRegistry registry,
                            EmbeddingTier volatileTier, EmbeddingTier persistentTier) {
        this.config = config;
        this.settings = settings;
        this.registry = registry;
        this.volatileTier = volatileTier;
        this.persistentTier = persistentTier;
        Gauge.builder("hps.load.seconds", loadMillis, m -> m.get() < 0 ? Double.NaN : m.get() / 1000.0)
                .description("time the start-up load took").register(registry);
        Gauge.builder("hps.ready", this, p -> p.ready ? 1 : 0).register(registry);
    }

    /** Builds the tiers of {@code config}; loads nothing yet. */
    public static ParameterServer create(PsConfig config, HpsSettings settings, MeterRegistry registry) {
        EmbeddingTier volatileTier = Tiers.volatileTier(config.volatileDb(), settings);
        try {
            EmbeddingTier persistentTier = Tiers.persistentTier(config.persistentDb());
            return new ParameterServer(config, settings, registry, volatileTier, persistentTier);
        } catch (RuntimeException e) {
            if (volatileTier != null) {
                volatileTier.close();
            }
            throw e;
        }
    }

    public PsConfig config() {
        return config;
    }

    /** Whether every model is loaded and its session serves. */
    public boolean ready() {
        return ready;
    }

    /** The session of {@code model}, once loaded. */
    public Optional<LookupSession> session(String model) {
        return Optional.ofNullable(sessions.get(model));
    }

    /** The volatile and persistent tiers, in lookup order (absent ones left out). */
    public List<EmbeddingTier> tiers() {
        List<EmbeddingTier> tiers = new ArrayList<>(2);
        if (volatileTier != null) {
            tiers.add(volatileTier);
        }
        if (persistentTier != null) {
            tiers.add(persistentTier);
        }
        return tiers;
    }

    /**
     * Loads every model of the configuration, tables in parallel on {@link HpsSettings#loadThreads()}
     * threads, then publishes the sessions and turns {@link #ready()} true. The future fails if a
     * sparse file is missing or malformed or a tier refuses the rows.
     */
    public CompletableFuture<List<LoadReport>> load(LoadProgress progress) {
        CompletableFuture<List<LoadReport>> done = new CompletableFuture<>();
        Thread.ofPlatform().name("hps-loader").daemon().start(() -> {
            try {
                done.complete(loadAll(progress));
            } catch (Throwable e) {
                log.error("loading failed: {}", e.getMessage(), e);
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private List<LoadReport> loadAll(LoadProgress progress) {
        long start = System.nanoTime();
        List<LoadReport> reports = new ArrayList<>();
        for (ModelHpsConfig model : config.models()) {
            reports.add(loadModel(model, progress));
        }
        loadMillis.set((System.nanoTime() - start) / 1_000_000);
        ready = true;
        return reports;
    }

    private LoadReport loadModel(ModelHpsConfig model, LoadProgress progress) {
        long start = System.nanoTime();
        EmbeddingTier loadingTier = volatileTier == null ? null
                : Tiers.loadingTier(config.volatileDb(), settings, volatileTier);
        try {
            return loadModel(model, progress, loadingTier, start);
        } finally {
            if (loadingTier != null && loadingTier != volatileTier) {
                loadingTier.close();
            }
        }
    }

    private LoadReport loadModel(ModelHpsConfig model, LoadProgress progress, EmbeddingTier loadingTier, long start) {
        List<ModelLoader.Target> targets = new ArrayList<>();
        List<LookupTable> tables = new ArrayList<>();
        for (int t = 0; t < model.tableCount(); t++) {
            TierTable table = new TierTable(model.model(), model.embeddingTableNames().get(t),
                    model.embeddingVecsizePerTable().get(t));
            DeviceCache cache = model.gpuCache() || model.useStaticTable() ? cacheFor(model, t, table) : null;
            targets.add(new ModelLoader.Target(table, model.sparseFiles().get(t), loadingTier,
                    config.volatileDb().initialCacheRate(), persistentTier, cache, model.initEc()));
            int maxKeys = (int) Math.min(Integer.MAX_VALUE,
                    model.maxBatchSize() * model.maxnumCatfeatureQueryPerTablePerSample().get(t));
            tables.add(new LookupTable(table, maxKeys, model.defaultValueForEachTable().get(t), cache));
        }
        List<ModelLoader.TableLoad> loads = loadTables(model.model(), targets, progress);
        List<EmbeddingTier> lookupTiers = model.useStaticTable() ? List.of() : tiers();
        LookupMetrics metrics = new LookupMetrics(registry, model.model(),
                lookupTiers.stream().map(t -> t.kind().tagValue()).toList());
        LookupSession session = new LookupSession(model.model(), tables,
                lookupTiers, settings.lookup().withHitRateThreshold(Math.min(1.0, model.hitRateThreshold())), metrics);
        sessions.put(model.model(), session);
        LoadReport report = new LoadReport(model.model(), tables.size(),
                loads.stream().mapToLong(ModelLoader.TableLoad::rows).sum(),
                loads.stream().mapToLong(ModelLoader.TableLoad::volatileRows).sum(),
                loads.stream().mapToLong(ModelLoader.TableLoad::cachedRows).sum(),
                System.nanoTime() - start);
        log.info("loaded model={} tables={} rows={} volatileRows={} cachedRows={} seconds={} rowsPerSecond={}",
                report.model(), report.tables(), report.rows(), report.volatileRows(), report.cachedRows(),
                String.format("%.2f", report.seconds()), String.format("%.0f", report.rowsPerSecond()));
        return report;
    }

    private DeviceCache cacheFor(ModelHpsConfig model, int t, TierTable table) {
        long rows;
        try (SparseTable sparse = SparseTable.open(model.sparseFiles().get(t), table.dimension())) {
            rows = sparse.rows();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open sparse table: model=" + model.model() + " table="
                    + table.table() + " error=" + e.getMessage(), e);
        }
        double fraction = model.gpuCachePer() > 0 ? model.gpuCachePer() : 1.0;
        DeviceCache cache = DeviceCache.onCpu(DeviceCacheConfig.forTable(rows, table.dimension(),
                model.useStaticTable(), fraction));
        caches.add(cache);
        LookupMetrics.bindCache(registry, model.model(), table.table(), cache);
        return cache;
    }

    private List<ModelLoader.TableLoad> loadTables(String model, List<ModelLoader.Target> targets,
                                                   LoadProgress progress) {
        ExecutorService pool = Executors.newFixedThreadPool(settings.loadThreads(),
                Thread.ofPlatform().name("hps-load-", 0).daemon().factory());
        try {
            List<Future<ModelLoader.TableLoad>> futures = new ArrayList<>();
            for (ModelLoader.Target target : targets) {
                futures.add(pool.submit(() -> ModelLoader.load(model, target, progress)));
            }
            List<ModelLoader.TableLoad> loads = new ArrayList<>();
            for (Future<ModelLoader.TableLoad> f : futures) {
                loads.add(f.get());
            }
            return loads;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading model=" + model, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Names of the configured models, in {@code ps.json} order. */
    public List<String> models() {
        return config.modelNames();
    }

    /** Per-model table names, in {@code ps.json} order. */
    public Map<String, List<String>> tables() {
        Map<String, List<String>> tables = new LinkedHashMap<>();
        config.models().forEach(m -> tables.put(m.model(), m.embeddingTableNames()));
        return tables;
    }

    @Override
    public void close() {
        ready = false;
        sessions.values().forEach(LookupSession::close);
        caches.forEach(DeviceCache::close);
        if (volatileTier != null) {
            volatileTier.close();
        }
        if (persistentTier != null) {
            persistentTier.close();
        }
    }
}
