package io.hps.dense.service;

import io.hps.dense.path.ServedModels;
import io.hps.dense.transport.ScoreServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;

/**
 * Wires the scoring paths into the service: the RSocket score server binds at start-up and
 * answers NOT_READY until each instance is loaded and its network warmed up, which happens in the
 * background once the application is up; readiness (health group {@code readiness}) follows.
 * Shutdown order: score server, then the instances' loading and hps-service client, then the
 * instances, then the GPU's owner thread.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DenseServiceProperties.class)
class DenseServiceConfiguration {
    private static final Logger log = LoggerFactory.getLogger(DenseServiceConfiguration.class);

    @Bean(destroyMethod = "close")
    GpuDevices gpuDevices(DenseServiceProperties properties) {
        return new GpuDevices(properties.gpu().deviceIndex());
    }

    /** Depends on the GPU so that the instances on it are closed before its owner thread stops. */
    @Bean(destroyMethod = "close")
    @DependsOn("gpuDevices")
    ServedModels servedModels(DenseServiceProperties properties) {
        return new ServedModels(properties.models().stream().map(DenseServiceProperties.Model::name).toList());
    }

    @Bean(destroyMethod = "close")
    ModelLoading modelLoading(ServedModels models, DenseServiceProperties properties, MeterRegistry registry,
                              ApplicationContext context, GpuDevices gpus) {
        return new ModelLoading(models, properties, registry, context, gpus);
    }

    @Bean(destroyMethod = "close")
    ScoreServer scoreServer(ServedModels models, ModelLoading loading, DenseServiceProperties properties,
                            MeterRegistry registry) {
        ScoreServer server = ScoreServer.start(models, properties.rsocket().settings(), registry);
        log.info("score server listening: host={} port={}", properties.rsocket().host(), server.port());
        return server;
    }

    /** Readiness: out of service until every instance is loaded and warmed up. */
    @Bean
    HealthIndicator models(ServedModels models, ModelLoading loading) {
        return () -> (models.ready() ? Health.up() : Health.outOfService())
                .withDetail("models", models.names())
                .withDetail("failures", loading.failures())
                .build();
    }
}
