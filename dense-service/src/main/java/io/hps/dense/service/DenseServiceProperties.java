package io.hps.dense.service;

import io.hps.dense.path.GpuSettings;
import io.hps.dense.path.PathKind;
import io.hps.dense.path.PathSettings;
import io.hps.dense.transport.ScoreServerSettings;
import io.hps.gpu.GpuAvailability;
import io.hps.gpu.dense.GemmPrecision;
import io.hps.transport.Endpoints;
import io.hps.wire.VectorDtype;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * dense-service settings ({@code dense.*}).
 *
 * @param models      the served model instances ({@code dense.models[i]}), unique names
 * @param hpsReplicas hps-service RSocket endpoints, {@code host:port} or {@code shm:/path} (its shared-memory
 *                    socket, {@code hps.rsocket.shm-socket}, on this host), needed by ensemble instances on the CPU
 * @param rsocket     where the RSocket score server listens
 * @param network     the dense network of every instance
 * @param ensemble    lookups of ensemble instances
 * @param gpu         the GPU of the instances placed on one
 */
@ConfigurationProperties("dense")
public record DenseServiceProperties(List<Model> models, List<String> hpsReplicas, @DefaultValue Rsocket rsocket,
                                     @DefaultValue Network network, @DefaultValue Ensemble ensemble,
                                     @DefaultValue Gpu gpu) {

    public DenseServiceProperties {
        models = models == null ? List.of() : List.copyOf(models);
        hpsReplicas = hpsReplicas == null ? List.of() : List.copyOf(hpsReplicas);
        if (new HashSet<>(models.stream().map(Model::name).toList()).size() != models.size()) {
            throw new IllegalArgumentException("dense.models names must be unique: names="
                    + models.stream().map(Model::name).toList());
        }
        for (Model m : models) {
            if (m.path() == PathKind.ENSEMBLE && m.device() == Device.GPU && gpu.ensembleAddress() == null) {
                throw new IllegalArgumentException("dense.models[].device gpu with path ensemble needs "
                        + "dense.gpu.ensemble-address (host:port of hps-service's hps.gpu-ipc endpoint): name="
                        + m.name() + " device=gpu path=ensemble");
            }
        }
        if (models.stream().anyMatch(m -> m.path() == PathKind.ENSEMBLE && m.device() == Device.CPU)
                && hpsReplicas.isEmpty()) {
            throw new IllegalArgumentException(
                    "ensemble instances need dense.hps-replicas (host:port or shm:/path list)");
        }
        hpsReplicas.forEach(r -> address("dense.hps-replicas", r));
    }

    /**
     * One served instance.
     *
     * @param name          instance name that requests address
     * @param modelDir      directory with model.json, ps.json and dense.safetensors
     * @param path          native, fused or ensemble
     * @param wireDtype     ensemble only: vector dtype asked of hps-service (F32, F16, BF16)
     * @param uniqueVectors ensemble only: ask for each distinct key's vector once plus an inverse index (the
     *                      default: lossless, the same scores, fewer bytes whenever a batch repeats keys)
     * @param device        where the instance runs: cpu, gpu, or auto (the GPU when there is one); native and
     *                      fused only on a GPU
     * @param precision     GPU only: arithmetic of the dense layers, tf32 (tensor cores) or fp32
     */
    public record Model(String name, Path modelDir, @DefaultValue("fused") PathKind path,
                        @DefaultValue("F32") VectorDtype wireDtype, @DefaultValue("true") boolean uniqueVectors,
                        @DefaultValue("cpu") Device device, @DefaultValue("tf32") GemmPrecision precision) {
        public Model {
            if (name == null || name.isBlank() || modelDir == null) {
                throw new IllegalArgumentException("dense.models[] needs name and model-dir: name=" + name
                        + " modelDir=" + modelDir);
            }
            if (device == null || precision == null) {
                throw new IllegalArgumentException("dense.models[] device and precision must be set: name=" + name
                        + " device=" + device + " precision=" + precision);
            }
            if (device == Device.AUTO && path == PathKind.ENSEMBLE) {
                throw new IllegalArgumentException("dense.models[].device must be cpu or gpu for path ensemble "
                        + "(the two look embeddings up over different endpoints): name=" + name + " device="
                        + device.tagValue() + " path=" + path.tagValue());
            }
        }

        /** Whether this instance runs on the GPU when the probe answered {@code gpu}; auto follows the probe. */
        boolean onGpu(GpuAvailability gpu) {
            return device == Device.GPU || device == Device.AUTO && gpu.available();
        }
    }

    /** Where an instance runs ({@code dense.models[i].device}). */
    public enum Device {
        CPU, GPU,
        /** The GPU when the probe finds one, else the CPU. */
        AUTO;

        /** Lowercase name, as in configuration and logs. */
        public String tagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param deviceIndex   CUDA device ordinal the GPU instances run on; one owner thread for all of them
     * @param timeoutMillis longest wait for one batch's scores on the GPU; past it the request fails with
     *                      DEADLINE_EXCEEDED
     * @param ensembleAddress hps-service's GPU lookup endpoint ({@code hps.gpu-ipc.*}) on this host: host:port,
     *                      or shm:/path for its {@code shm-socket} (shared memory, the faster); needed by GPU
     *                      ensemble instances; null when there is none
     */
    public record Gpu(@DefaultValue("0") int deviceIndex, @DefaultValue("10000") long timeoutMillis,
                      String ensembleAddress) {
        public Gpu {
            if (deviceIndex < 0 || timeoutMillis < 1) {
                throw new IllegalArgumentException("dense.gpu out of range: deviceIndex=" + deviceIndex
                        + " timeoutMillis=" + timeoutMillis);
            }
            if (ensembleAddress != null) {
                address("dense.gpu.ensemble-address", ensembleAddress);
            }
        }
    }

    /**
     * @param host          bind address
     * @param port          TCP port of the RSocket server (0: any free port)
     * @param workerThreads threads scoring requests
     * @param queue         requests that may wait for a worker; more are answered OVERLOADED
     * @param maxFrameBytes largest request frame accepted
     */
    public record Rsocket(@DefaultValue("0.0.0.0") String host, @DefaultValue("9200") int port,
                          @DefaultValue("4") int workerThreads, @DefaultValue("64") int queue,
                          @DefaultValue("268435456") int maxFrameBytes) {
        ScoreServerSettings settings() {
            return new ScoreServerSettings(host, port, workerThreads, queue, maxFrameBytes);
        }
    }

    /**
     * @param threads      worker threads of each instance's network; 0 means one per processor
     * @param workspaces   batches of one instance scored at once (buffers sized by the maximum batch each)
     * @param warmUpMillis synthetic batches run before an instance reports ready
     */
    public record Network(@DefaultValue("0") int threads, @DefaultValue("2") int workspaces,
                          @DefaultValue("2000") long warmUpMillis) {
        public Network {
            if (threads < 0 || workspaces < 1 || warmUpMillis < 0) {
                throw new IllegalArgumentException("dense.network out of range: threads=" + threads + " workspaces="
                        + workspaces + " warmUpMillis=" + warmUpMillis);
            }
        }

        int effectiveThreads() {
            return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        }
    }

    /**
     * @param lookupTimeoutMillis deadline of one lookup
     * @param keepAliveMillis     keep-alive interval of the hps-service connections
     * @param maxResponseBytes    largest lookup response asked for in one request (at most 16 MiB - 64 KiB,
     *                            an unfragmented RSocket frame); larger batches are split and sent at once
     */
    public record Ensemble(@DefaultValue("1000") long lookupTimeoutMillis, @DefaultValue("5000") long keepAliveMillis,
                           @DefaultValue("16711680") long maxResponseBytes) {
        public Ensemble {
            if (lookupTimeoutMillis < 1 || keepAliveMillis < 1) {
                throw new IllegalArgumentException("dense.ensemble out of range: lookupTimeoutMillis="
                        + lookupTimeoutMillis + " keepAliveMillis=" + keepAliveMillis);
            }
        }
    }

    PathSettings pathSettings(Model m) {
        return new PathSettings(m.name(), m.path(), network.effectiveThreads(), network.workspaces(),
                network.warmUpMillis(), m.wireDtype(), m.uniqueVectors(), ensemble.lookupTimeoutMillis(),
                ensemble.maxResponseBytes());
    }

    GpuSettings gpuSettings(Model m) {
        return new GpuSettings(m.precision(), gpu.timeoutMillis(),
                gpu.ensembleAddress() == null ? null : address("dense.gpu.ensemble-address", gpu.ensembleAddress()));
    }

    List<SocketAddress> replicaAddresses() {
        return hpsReplicas.stream().map(r -> address("dense.hps-replicas", r)).toList();
    }

    private static SocketAddress address(String property, String text) {
        return Endpoints.parse(property, text);
    }
}
