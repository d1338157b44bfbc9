package io.hps.service;

import io.hps.lookup.LookupSettings;
import io.hps.store.HpsSettings;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * hps-service settings ({@code hps.*}).
 *
 * @param psConfig HugeCTR parameter server configuration ({@code ps.json}) to serve
 * @param rsocket  where the RSocket lookup server listens
 * @param lookup   lookup sessions and tier deadlines
 * @param gpuIpc   the same-host GPU lookup endpoint (off by default)
 */
@ConfigurationProperties("hps")
public record HpsServiceProperties(Path psConfig, @DefaultValue Rsocket rsocket, @DefaultValue Lookup lookup,
                                   @DefaultValue GpuIpc gpuIpc) {

    public HpsServiceProperties {
        if (psConfig == null || psConfig.toString().isBlank()) {
            throw new IllegalArgumentException("hps.ps-config must name a ps.json file (environment HPS_PS_CONFIG)");
        }
    }

    /**
     * @param host          bind address
     * @param port          TCP port of the RSocket server
     * @param maxFrameBytes largest request frame accepted (bigger frames are refused by the transport)
     * @param shmSocket     Unix domain socket where the server also listens for clients of this host over shared
     *                      memory (a dense-service in the same pod names it {@code shm:/path}); null: TCP only
     */
    public record Rsocket(@DefaultValue("0.0.0.0") String host, @DefaultValue("9100") int port,
                          @DefaultValue("268435456") int maxFrameBytes, Path shmSocket) {
        public Rsocket {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("hps.rsocket.port out of range: port=" + port);
            }
        }
    }

    /**
     * @param tierTimeoutMillis   deadline of the tier calls of one lookup
     * @param workspaces          lookups of one model that run at once (scratch buffers each)
     * @param asyncInsertQueue    background cache insertions that may wait
     * @param threads             worker threads running lookups
     * @param queue               lookups that may wait for a worker; more are refused as overloaded
     * @param redisTimeoutMillis  Redis command timeout
     * @param redisRetryAttempts  Redis command retries
     * @param inlineKeys          requests of at most this many keys are answered on the event loop, without
     *                            a hand-off to a worker, when every tier is in process (0: never)
     */
    public record Lookup(@DefaultValue("20") long tierTimeoutMillis, @DefaultValue("4") int workspaces,
                         @DefaultValue("64") int asyncInsertQueue, @DefaultValue("4") int threads,
                         @DefaultValue("256") int queue, @DefaultValue("20") int redisTimeoutMillis,
                         @DefaultValue("1") int redisRetryAttempts, @DefaultValue("4096") int inlineKeys) {
        public Lookup {
            if (threads < 1 || queue < 1) {
                throw new IllegalArgumentException("hps.lookup.threads and hps.lookup.queue must be >= 1: threads="
                        + threads + " queue=" + queue);
            }
            if (inlineKeys < 0) {
                throw new IllegalArgumentException("hps.lookup.inline-keys must be >= 0: inlineKeys=" + inlineKeys);
            }
        }
    }

    /**
     * The same-host GPU lookup endpoint ({@code hps.gpu-ipc.*}): one model's rows in a static table on one GPU,
     * answered with CUDA IPC handles of device buffers ({@link io.hps.transport.gpu.IpcLookupServer}).
     *
     * @param enabled      start the endpoint; start-up fails when there is no GPU
     * @param host         bind address; the handles open only on this host, hence loopback by default
     * @param port         TCP port of the endpoint (0: any free port)
     * @param deviceIndex  CUDA device ordinal holding the table
     * @param maxBatchSize samples per request at most; null: the model's {@code max_batch_size} in ps.json
     * @param pool         device embedding buffers handed out round-robin; a client holds at most
     *                     {@code pool - 1} responses while it sends the next request
     * @param model        the ps.json model served; null: the first one
     * @param shmSocket    Unix domain socket where the endpoint also listens over shared memory (the fastest way
     *                     to it: {@code dense.gpu.ensemble-address=shm:/path}); null: TCP only
     */
    public record GpuIpc(@DefaultValue("false") boolean enabled, @DefaultValue("127.0.0.1") String host,
                         @DefaultValue("9110") int port, @DefaultValue("0") int deviceIndex, Integer maxBatchSize,
                         @DefaultValue("2") int pool, String model, Path shmSocket) {
        public GpuIpc {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("hps.gpu-ipc.host must be set: host=" + host);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("hps.gpu-ipc.port out of range: port=" + port);
            }
            if (deviceIndex < 0 || pool < 1 || (maxBatchSize != null && maxBatchSize < 1)) {
                throw new IllegalArgumentException("hps.gpu-ipc out of range: deviceIndex=" + deviceIndex + " pool="
                        + pool + " maxBatchSize=" + maxBatchSize);
            }
        }
    }

    HpsSettings settings() {
        return new HpsSettings(new LookupSettings(1.0, lookup.tierTimeoutMillis(), lookup.workspaces(),
                lookup.asyncInsertQueue()), lookup.redisTimeoutMillis(), lookup.redisRetryAttempts(),
                Math.max(1, Runtime.getRuntime().availableProcessors()));
    }
}
