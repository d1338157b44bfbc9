package io.hps.dense.service;

import io.hps.dense.path.PathKind;
import io.hps.dense.path.ScoringPath;
import io.hps.dense.path.ScoringPaths;
import io.hps.dense.path.ServedModels;
import io.hps.gpu.DeviceOwner;
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
 * of the ensemble instances (one, load-balanced over {@code dense.hps-replicas}). Places each
 * instance on the CPU or the GPU ({@code dense.models[i].device}): {@code auto} without a GPU
 * serves on the CPU and says so once in the log; {@code gpu} without one fails that instance. An
 * instance that fails to load is logged and reported in the readiness details; readiness stays
 * false, and the other instances load and serve.
 */
final class ModelLoading implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelLoading.class);

    private final ServedModels models;
    private final DenseServiceProperties properties;
    private final MeterRegistry registry;
    private final ApplicationContext context;
    private final GpuDevices gpus;
    private final LookupClient hps;
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    ModelLoading(ServedModels models, DenseServiceProperties properties, MeterRegistry registry,
                 ApplicationContext context, GpuDevices gpus) {
        this.models = models;
        this.properties = properties;
        this.registry = registry;
        this.context = context;
        this.gpus = gpus;
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
                boolean onGpu = m.onGpu(gpus.availability());
                ScoringPath path = onGpu ? openOnGpu(m) : openOnCpu(m);
                models.publish(path);
                log.info("serving instance={} path={} device={} maxBatchSize={} seconds={}", m.name(),
                        m.path().tagValue(), onGpu ? "gpu" : "cpu", path.maxBatchSize(),
                        String.format("%.2f", (System.nanoTime() - start) / 1e9));
            } catch (RuntimeException e) {
                failures.put(m.name(), String.valueOf(e.getMessage()));
                log.error("cannot load instance={} modelDir={}: {}", m.name(), m.modelDir(), e.getMessage(), e);
                AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
            }
        }
    }

    private ScoringPath openOnCpu(DenseServiceProperties.Model m) {
        if (m.device() == DenseServiceProperties.Device.AUTO) {
            log.warn("no usable GPU, serving on the CPU: instance={} device=auto reason={}", m.name(),
                    gpus.availability().reason());
        }
        return ScoringPaths.open(properties.pathSettings(m), ModelDirectory.open(m.modelDir()), registry,
                m.path() == PathKind.ENSEMBLE ? hps : null);
    }

    private ScoringPath openOnGpu(DenseServiceProperties.Model m) {
        DeviceOwner owner = gpus.owner(m.name());
        ModelDirectory directory = ModelDirectory.open(m.modelDir());
        warnOnDefaultVectors(m, directory);
        return ScoringPaths.openOnGpu(properties.pathSettings(m), directory, registry, owner,
                properties.gpuSettings(m));
    }

    /** On the GPU unknown keys score with the zero vector; a non-zero ps.json default is not honoured. */
    private static void warnOnDefaultVectors(DenseServiceProperties.Model m, ModelDirectory directory) {
        if (directory.hps().defaultValueForEachTable().stream().anyMatch(v -> v != 0f)) {
            log.warn("default_value_for_each_table is not honoured on the GPU, unknown keys get the zero vector: "
                    + "instance={} defaults={}", m.name(), directory.hps().defaultValueForEachTable());
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
