package io.hps.dense.service;

import io.hps.dense.path.PathKind;
import io.hps.dense.path.ScoringPath;
import io.hps.dense.path.ScoringPaths;
import io.hps.dense.path.ServedModels;
import io.hps.model.config.ModelDirectory;
import io.hps.transport.LookupClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.EventListener;

/**
 * Loads the configured instances one after another on a background thread once the application
 * is up, publishing each to {@link ServedModels} when it is warmed up. Owns the hps-service client
 * of the ensemble instances (one, load-balanced over {@code dense.hps-replicas}). An instance that
 * fails to load is logged and reported in the readiness details; readiness stays false.
 */
final class ModelLoading implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelLoading.class);

    private final ServedModels models;
    private final DenseServiceProperties properties;
    private final MeterRegistry registry;
    private final ApplicationContext context;
    private final LookupClient hps;
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    ModelLoading(ServedModels models, DenseServiceProperties properties, MeterRegistry registry,
                 ApplicationContext context) {
        this.models = models;
        this.properties = properties;
        this.registry = registry;
        this.context = context;
        this.hps = properties.hpsReplicas().isEmpty() ? null : LookupClient.connect(properties.replicaAddresses(),
                Duration.ofMillis(properties.ensemble().lookupTimeoutMillis()),
                Duration.ofMillis(properties.ensemble().keepAliveMillis()));
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        Thread.ofPlatform().name("dense-loader").daemon().start(this::loadAll);
    }

    private void loadAll() {
        for (DenseServiceProperties.Model m : properties.models()) {
            try {
                long start = System.nanoTime();
                ScoringPath path = ScoringPaths.open(properties.pathSettings(m), ModelDirectory.open(m.modelDir()),
                        registry, m.path() == PathKind.ENSEMBLE ? hps : null);
                models.publish(path);
                log.info("serving instance={} path={} maxBatchSize={} seconds={}", m.name(), m.path().tagValue(),
                        path.maxBatchSize(), String.format("%.2f", (System.nanoTime() - start) / 1e9));
            } catch (RuntimeException e) {
                failures.put(m.name(), String.valueOf(e.getMessage()));
                log.error("cannot load instance={} modelDir={}: {}", m.name(), m.modelDir(), e.getMessage(), e);
                AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
            }
        }
    }

    /** Instances that failed to load, with the reason. */
    Map<String, String> failures() {
        return Map.copyOf(failures);
    }

    @Override
    public void close() {
        if (hps != null) {
            hps.close();
        }
    }
}
