package io.hps.dense.path;

import io.hps.dense.cpu.DlrmNetwork;
import io.hps.lookup.LookupSession;
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
import io.hps.transport.LookupClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * Opens {@link ScoringPath}s over a model directory (model.json, ps.json, dense.safetensors):
 * loads the dense weights and the embeddings as the path needs them, warms the network up for
 * {@link PathSettings#warmUpMillis()}, and only then returns. Blocks; call at start-up.
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
        ParameterServer server = ParameterServer.create(config, HpsSettings.DEFAULTS, registry);
        try {
            server.load(LoadProgress.NONE).get();
            LookupSession session = server.session(hpsModel).orElseThrow(() -> new IllegalStateException(
                    "model not in ps.json: model=" + hpsModel + " models=" + server.models()));
            return new HpsPath(settings, network, maxBatch, metrics, server, session);
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
