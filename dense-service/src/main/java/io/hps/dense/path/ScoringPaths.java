package io.hps.dense.path;

import io.hps.dense.cpu.DlrmNetwork;
import io.hps.dense.gpu.GpuEnsemblePath;
import io.hps.dense.gpu.GpuFusedPath;
import io.hps.dense.gpu.GpuNativePath;
import io.hps.dense.gpu.GpuPathConfig;
import io.hps.dense.gpu.SerialGpuPath;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.table.SparseFileRows;
import io.hps.lookup.LookupSession;
import io.hps.model.TableSpec;
import io.hps.model.config.ModelConfig;
import io.hps.model.config.ModelDirectory;
import io.hps.model.config.ModelHpsConfig;
import io.hps.model.config.PersistentDbConfig;
import io.hps.model.config.PsConfig;
import io.hps.model.config.UpdateSourceConfig;
import io.hps.model.config.VolatileDbConfig;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.dense.DlrmWeightsFile;
import io.hps.store.HpsSettings;
import io.hps.store.LoadProgress;
import io.hps.store.ParameterServer;
import io.hps.transport.Endpoints;
import io.hps.transport.LookupClient;
import io.hps.transport.gpu.EnsembleOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Opens {@link ScoringPath}s over a model directory (model.json, ps.json, dense.safetensors):
 * loads the dense weights and the embeddings as the path needs them, warms the network up for
 * {@link PathSettings#warmUpMillis()}, and only then returns. Blocks; call at start-up. On the CPU
 * ({@link #open}) or on a GPU ({@link #openOnGpu}; the ensemble there through hps-service's GPU lookup endpoint).
 */
public final class ScoringPaths {
    private ScoringPaths() {
    }

    /**
     * Opens the path {@code settings.kind()} names.
     *
     * @param hps the hps-service client, required for ENSEMBLE (shared; the path does not close it), else ignored
     * @throws UncheckedIOException when a model file cannot be read
     * @throws IllegalStateException when the embeddings cannot be loaded
     */
    public static ScoringPath open(PathSettings settings, ModelDirectory directory, MeterRegistry registry,
                                   LookupClient hps) {
        int maxBatch = maxBatch(directory);
        PathMetrics metrics = new PathMetrics(registry, settings.name(), settings.kind());
        DlrmNetwork network = DlrmNetwork.load(weights(directory), settings.networkThreads());
        try {
            NetworkPath path = switch (settings.kind()) {
                case NATIVE -> hpsPath(settings, network, maxBatch, metrics, nativeConfig(directory.hps()),
                        directory.hps().model(), registry);
                case FUSED -> hpsPath(settings, network, maxBatch, metrics, directory.psConfig(),
                        directory.hps().model(), registry);
                case ENSEMBLE -> new EnsemblePath(settings, network, maxBatch, metrics, requireClient(hps, settings),
                        directory.hps().model(), ByteBufAllocator.DEFAULT);
            };
            network.warmUp(Duration.ofMillis(settings.warmUpMillis()));
            return path;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** The smaller of model.json's and ps.json's {@code max_batch_size}. */
    static int maxBatch(ModelDirectory directory) {
        ModelConfig config = directory.config();
        return (int) Math.min(config.maxBatchSize(), Math.min(Integer.MAX_VALUE, directory.hps().maxBatchSize()));
    }

    private static DlrmWeights weights(ModelDirectory directory) {
        try {
            return DlrmWeightsFile.load(directory.denseWeights(), directory.architecture());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dense weights: file=" + directory.denseWeights()
                    + " error=" + e.getMessage(), e);
        }
    }

    private static LookupClient requireClient(LookupClient hps, PathSettings settings) {
        if (hps == null) {
            throw new IllegalArgumentException("the ensemble path needs hps-service replicas: instance="
                    + settings.name());
        }
        return hps;
    }

    private static NetworkPath hpsPath(PathSettings settings, DlrmNetwork network, int maxBatch, PathMetrics metrics,
                                       PsConfig config, String hpsModel, MeterRegistry registry) {
        ParameterServer server = loadedServer(config, hpsModel, registry);
        try {
            LookupSession session = server.session(hpsModel).orElseThrow(() -> new IllegalStateException(
                    "model not in ps.json: model=" + hpsModel + " models=" + server.models()));
            return new HpsPath(settings, network, maxBatch, metrics, server, session);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** A parameter server over {@code config} with every model loaded; closed again when loading fails. */
    private static ParameterServer loadedServer(PsConfig config, String hpsModel, MeterRegistry registry) {
        ParameterServer server = ParameterServer.create(config, HpsSettings.DEFAULTS, registry);
        try {
            server.load(LoadProgress.NONE).get();
            return server;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IllegalStateException("interrupted while loading embeddings: model=" + hpsModel, e);
        } catch (ExecutionException e) {
            server.close();
            throw new IllegalStateException("cannot load embeddings: model=" + hpsModel + " error=" + e.getCause(),
                    e.getCause());
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Opens the path {@code settings.kind()} names on the GPU of {@code owner}, warmed up for
     * {@link PathSettings#warmUpMillis()}. Native: every row of the model's sparse files in a static device table.
     * Fused: a device cache of {@link #gpuCacheRows} rows in front of the tiers of the model's ps.json (the model's
     * entry only, loaded without a CPU cache), asked in order on a miss. Keys found nowhere score with the zero
     * vector, not with ps.json's {@code default_value_for_each_table}. Ensemble: the lookup runs in hps-service's
     * GPU lookup endpoint at {@link GpuSettings#ensembleAddress()} on this host, which must serve the same tables;
     * one request at a time. {@code settings}' network threads and workspaces do not apply; batches run one after
     * another on the device's owner thread.
     *
     * @param owner the device's owner thread, shared by the instances on that device; the path does not close it
     * @throws IllegalArgumentException for ENSEMBLE without {@link GpuSettings#ensembleAddress()}
     * @throws UncheckedIOException when a model file cannot be read
     * @throws IllegalStateException when the embeddings cannot be loaded or the device refused the model
     */
    public static ScoringPath openOnGpu(PathSettings settings, ModelDirectory directory, MeterRegistry registry,
                                        DeviceOwner owner, GpuSettings gpu) {
        if (settings.kind() == PathKind.ENSEMBLE && gpu.ensembleAddress() == null) {
            throw new IllegalArgumentException("the ensemble path on the GPU needs hps-service's GPU lookup "
                    + "endpoint (dense.gpu.ensemble-address): instance=" + settings.name());
        }
        int maxBatch = maxBatch(directory);
        GpuPathConfig config = new GpuPathConfig(maxBatch, gpu.precision());
        DlrmWeights weights = weights(directory);
        PathMetrics metrics = new PathMetrics(registry, settings.name(), settings.kind());
        GpuScoringPath path = switch (settings.kind()) {
            case NATIVE -> gpuNative(settings, directory, owner, weights, config, metrics, gpu);
            case FUSED -> gpuFused(settings, directory, owner, weights, config, metrics, gpu, registry);
            case ENSEMBLE -> gpuEnsemble(settings, directory, owner, weights, config, metrics, gpu);
        };
        try {
            path.warmUp(Duration.ofMillis(settings.warmUpMillis()));
            return path;
        } catch (RuntimeException e) {
            path.close();
            throw new IllegalStateException("GPU warm-up failed: instance=" + settings.name() + " error="
                    + e.getMessage(), e);
        }
    }

    private static GpuScoringPath gpuNative(PathSettings settings, ModelDirectory directory, DeviceOwner owner,
                                            DlrmWeights weights, GpuPathConfig config, PathMetrics metrics,
                                            GpuSettings gpu) {
        try (SparseFileRows rows = SparseFileRows.open(directory.sparseTables(), directory.architecture().tables())) {
            GpuNativePath path = awaitLoad(GpuNativePath.load(owner, weights, rows, config), settings);
            return new GpuScoringPath(settings, directory.architecture(), config.maxBatchSize(), metrics, path, null,
                    gpu);
        }
    }

    /**
     * The ensemble on the GPU: the lookup runs in hps-service ({@code hps.gpu-ipc.*}), the forward here on the
     * device buffer it answers with; one request at a time ({@link SerialGpuPath}).
     */
    private static GpuScoringPath gpuEnsemble(PathSettings settings, ModelDirectory directory, DeviceOwner owner,
                                              DlrmWeights weights, GpuPathConfig config, PathMetrics metrics,
                                              GpuSettings gpu) {
        SocketAddress address = gpu.ensembleAddress();
        GpuEnsemblePath path;
        try {
            path = awaitLoad(GpuEnsemblePath.connect(owner, weights, config, address, EnsembleOptions.DEFAULTS),
                    settings);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot connect to hps-service's GPU lookup endpoint: instance="
                    + settings.name() + " address=" + Endpoints.format(address) + " error=" + e.getMessage(), e);
        }
        return new GpuScoringPath(settings, directory.architecture(), config.maxBatchSize(), metrics,
                new SerialGpuPath(path), null, gpu);
    }

    private static GpuScoringPath gpuFused(PathSettings settings, ModelDirectory directory, DeviceOwner owner,
                                           DlrmWeights weights, GpuPathConfig config, PathMetrics metrics,
                                           GpuSettings gpu, MeterRegistry registry) {
        String hpsModel = directory.hps().model();
        ParameterServer server = loadedServer(tiersOnly(directory.psConfig(), directory.hps()), hpsModel, registry);
        try {
            if (server.tiers().isEmpty()) {
                throw new IllegalStateException("the fused path on the GPU needs a volatile or persistent tier in "
                        + "ps.json: instance=" + settings.name() + " model=" + hpsModel);
            }
            GpuFusedPath path = awaitLoad(GpuFusedPath.load(owner, weights, server.tiers(), hpsModel,
                    gpuCacheRows(directory.hps(), directory.architecture().tables()), config), settings);
            return new GpuScoringPath(settings, directory.architecture(), config.maxBatchSize(), metrics, path,
                    server, gpu);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static <T> T awaitLoad(CompletableFuture<T> load, PathSettings settings) {
        try {
            return load.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading on the GPU: instance=" + settings.name(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot load on the GPU: instance=" + settings.name() + " error="
                    + e.getCause(), e.getCause());
        }
    }

    /**
     * Rows of the fused path's device cache, all tables together, sized as the CPU caches are: per table
     * {@code gpucacheper} (1.0 when not positive) of its rows rounded up, at least one; every row with
     * {@code use_static_table}.
     */
    static long gpuCacheRows(ModelHpsConfig m, List<TableSpec> tables) {
        double fraction = m.gpuCachePer() > 0 ? Math.min(1.0, m.gpuCachePer()) : 1.0;
        return tables.stream().mapToLong(t -> m.useStaticTable() ? t.rows()
                : Math.max(1L, Math.min(t.rows(), (long) Math.ceil(fraction * t.rows())))).sum();
    }

    /**
     * The GPU fused path's ps.json: only this model, its rows in the tiers and no CPU cache (the device holds the
     * cache); the tiers as configured.
     */
    static PsConfig tiersOnly(PsConfig ps, ModelHpsConfig m) {
        ModelHpsConfig uncached = new ModelHpsConfig(m.model(), m.maxBatchSize(), m.sparseFiles(), m.denseFile(),
                m.networkFile(), false, m.gpuCachePer(), m.hitRateThreshold(), m.numOfWorkerBufferInPool(),
                m.numOfRefresherBufferInPool(), m.cacheRefreshPercentagePerIteration(), m.deployedDeviceList(),
                m.defaultValueForEachTable(), m.maxnumDesFeaturePerSample(),
                m.maxnumCatfeatureQueryPerTablePerSample(), m.embeddingVecsizePerTable(), m.embeddingTableNames(),
                m.refreshDelaySeconds(), m.refreshIntervalSeconds(), m.labelDim(), m.slotNum(), false,
                ModelHpsConfig.EmbeddingCacheType.DYNAMIC, m.useContextStream(), m.fuseEmbeddingTable(),
                m.useHctrCacheImplementation(), m.threadPoolSize(), false, m.enablePagelock(), m.fp8Quant());
        return new PsConfig(ps.supportLongLong(), ps.fuseEmbeddingTable(), ps.volatileDb(), ps.persistentDb(),
                ps.updateSource(), List.of(uncached));
    }

    /**
     * The native path's ps.json: only this model, its tables whole and static in this process
     * ({@code use_static_table: true}), no volatile or persistent tier.
     */
    static PsConfig nativeConfig(ModelHpsConfig m) {
        ModelHpsConfig resident = new ModelHpsConfig(m.model(), m.maxBatchSize(), m.sparseFiles(), m.denseFile(),
                m.networkFile(), true, 1.0, 1.0, m.numOfWorkerBufferInPool(), m.numOfRefresherBufferInPool(), 0.0,
                m.deployedDeviceList(), m.defaultValueForEachTable(), m.maxnumDesFeaturePerSample(),
                m.maxnumCatfeatureQueryPerTablePerSample(), m.embeddingVecsizePerTable(), m.embeddingTableNames(),
                0.0, 0.0, m.labelDim(), m.slotNum(), true, ModelHpsConfig.EmbeddingCacheType.STATIC,
                m.useContextStream(), m.fuseEmbeddingTable(), m.useHctrCacheImplementation(), m.threadPoolSize(),
                true, m.enablePagelock(), m.fp8Quant());
        return new PsConfig(true, false, disabledVolatile(), PersistentDbConfig.defaults(),
                UpdateSourceConfig.defaults(), List.of(resident));
    }

    private static VolatileDbConfig disabledVolatile() {
        VolatileDbConfig d = VolatileDbConfig.defaults();
        return new VolatileDbConfig(VolatileDbConfig.Type.DISABLED, d.address(), d.userName(), d.password(),
                d.numPartitions(), d.allocationRateBytes(), d.sharedMemorySizeBytes(), d.sharedMemoryName(),
                d.sharedMemoryAutoRemove(), d.numNodeConnections(), d.maxBatchSize(), d.enableTls(),
                d.tlsCaCertificate(), d.tlsClientCertificate(), d.tlsClientKey(), d.tlsServerNameIdentification(),
                d.overflowMargin(), d.overflowPolicy(), d.overflowResolutionTarget(), false, 0.0, false,
                d.updateFilters());
    }
}
