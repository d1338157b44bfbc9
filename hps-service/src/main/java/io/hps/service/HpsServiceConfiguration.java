package io.hps.service;

import io.hps.gpu.GpuRuntime;
import io.hps.model.config.ConfigIssue;
import io.hps.model.config.PsConfigCodec;
import io.hps.model.config.PsConfigFile;
import io.hps.model.config.VolatileDbConfig;
import io.hps.store.ParameterServer;
import io.hps.tier.RedisTier;
import io.hps.transport.LookupServer;
import io.hps.transport.gpu.IpcLookupServer;
import io.hps.update.CacheRefresher;
import io.hps.update.EmbeddingUpdater;
import io.hps.update.LocalUpdateChannel;
import io.hps.update.RedisUpdateChannel;
import io.hps.update.UpdateChannel;
import io.micrometer.core.instrument.MeterRegistry;
import org.redisson.Redisson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Wires the parameter server library into the service: reads {@code ps.json} (reporting unknown
 * and unsupported fields by name), builds the tiers, loads the models in the background with
 * readiness held false until they are loaded, and starts update propagation and cache refresh;
 * with {@code hps.gpu-ipc.enabled} also the same-host GPU lookup endpoint ({@link GpuIpcEndpoint}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HpsServiceProperties.class)
class HpsServiceConfiguration {
    private static final Logger log = LoggerFactory.getLogger(HpsServiceConfiguration.class);

    @Bean
    PsConfigFile psConfigFile(HpsServiceProperties properties) {
        PsConfigFile file = PsConfigCodec.read(properties.psConfig());
        for (ConfigIssue issue : file.issues()) {
            log.warn("ps.json: {}", issue);
        }
        return file;
    }

    @Bean(destroyMethod = "close")
    ParameterServer parameterServer(PsConfigFile file, HpsServiceProperties properties, MeterRegistry registry) {
        return ParameterServer.create(file.config(), properties.settings(), registry);
    }

    @Bean(destroyMethod = "close")
    EmbeddingUpdater embeddingUpdater(ParameterServer server, HpsServiceProperties properties) {
        return new EmbeddingUpdater(server, updateChannel(server, properties));
    }

    @Bean(destroyMethod = "close")
    LookupServer lookupServer(ParameterServer server, HpsServiceProperties properties, MeterRegistry registry) {
        HpsServiceProperties.Rsocket rsocket = properties.rsocket();
        LookupServer lookupServer = LookupServer.start(server, rsocket.host(), rsocket.port(),
                properties.lookup().threads(), properties.lookup().queue(), rsocket.maxFrameBytes(),
                properties.lookup().inlineKeys(), rsocket.shmSocket(), registry);
        log.info("lookup server listening: host={} port={} shared memory={}", rsocket.host(), lookupServer.port(),
                rsocket.shmSocket() == null ? "off" : rsocket.shmSocket());
        return lookupServer;
    }

    /**
     * The same-host GPU lookup endpoint, with {@code hps.gpu-ipc.enabled=true} only. Its table is loaded while the
     * context starts, so readiness (which follows the context) waits for it; without a GPU start-up fails.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnBooleanProperty("hps.gpu-ipc.enabled")
    IpcLookupServer gpuIpcServer(PsConfigFile file, HpsServiceProperties properties) {
        HpsServiceProperties.GpuIpc gpuIpc = properties.gpuIpc();
        IpcLookupServer server = GpuIpcEndpoint.start(gpuIpc, file.config(), GpuRuntime.availability(),
                GpuRuntime::device);
        log.info("GPU lookup endpoint listening: host={} port={} shared memory={} device={} model={}", gpuIpc.host(),
                server.port(), gpuIpc.shmSocket() == null ? "off" : gpuIpc.shmSocket(), gpuIpc.deviceIndex(),
                GpuIpcEndpoint.model(gpuIpc, file.config()).model());
        return server;
    }

    @Bean(destroyMethod = "close")
    CacheRefresher cacheRefresher(ParameterServer server) {
        return new CacheRefresher(server);
    }

    private static UpdateChannel updateChannel(ParameterServer server, HpsServiceProperties properties) {
        VolatileDbConfig db = server.config().volatileDb();
        if (db.type() != VolatileDbConfig.Type.REDIS_CLUSTER) {
            return new LocalUpdateChannel();
        }
        return new RedisUpdateChannel(Redisson.create(RedisTier.redissonConfig(
                io.hps.store.Tiers.updateChannelSettings(db, properties.settings()))));
    }

    /** Readiness: out of service until every model is loaded (health group {@code readiness}). */
    @Bean
    HealthIndicator models(ParameterServer server) {
        return () -> (server.ready() ? Health.up() : Health.outOfService())
                .withDetail("models", server.models()).build();
    }

    /** Starts loading once the application is up; readiness follows the load. */
    @Bean
    ModelLoading modelLoading(ParameterServer server, CacheRefresher refresher, ApplicationContext context) {
        return new ModelLoading(server, refresher, context);
    }

    static final class ModelLoading {
        private final ParameterServer server;
        private final CacheRefresher refresher;
        private final ApplicationContext context;

        ModelLoading(ParameterServer server, CacheRefresher refresher, ApplicationContext context) {
            this.server = server;
            this.refresher = refresher;
            this.context = context;
        }

        @EventListener(ApplicationReadyEvent.class)
        void start() {
            server.load(new LoggingLoadProgress()).whenComplete((reports, error) -> {
                if (error != null) {
                    log.error("model loading failed; readiness stays false: {}", error.getMessage());
                    AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
                    return;
                }
                refresher.start();
                log.info("ready: models={}", server.models());
            });
        }
    }
}
