package io.hps.gateway;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

import io.hps.gateway.backend.ModelRoutes;
import io.hps.gateway.http.InferenceHandler;
import io.hps.gateway.http.ModelEndpoints;
import io.hps.gateway.repository.ModelRepository;
import io.hps.gateway.repository.ServedModel;
import io.hps.gateway.stats.ModelStatistics;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** Wires the repository, the backend routes and the HTTP endpoints. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GatewayProperties.class)
class GatewayConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfiguration.class);

    @Bean
    ModelRepository modelRepository(GatewayProperties properties) {
        ModelRepository repository = ModelRepository.load(properties.repository());
        for (ServedModel model : repository.models()) {
            LOG.info("serving model={} version={} kind={} path={} backend={} backendModel={} addresses={}",
                    model.name(), model.version(), model.kind().label(), model.path().label(),
                    model.backend().service().label(), model.backend().model(), model.backend().addresses());
        }
        return repository;
    }

    /**
     * Reactor Netty's own meters (event loop pending tasks, pooled direct memory, HTTP server
     * timings), with every URI reported as one tag value so that paths never become tags.
     */
    @Bean
    NettyServerCustomizer nettyMetrics() {
        return server -> server.metrics(true, uri -> "/v2");
    }

    @Bean
    Map<String, ModelStatistics> modelStatistics(ModelRepository repository) {
        Map<String, ModelStatistics> statistics = new HashMap<>();
        for (ServedModel model : repository.models()) {
            statistics.put(model.name(), new ModelStatistics(model.name(), model.version()));
        }
        return Map.copyOf(statistics);
    }

    @Bean(destroyMethod = "close")
    ModelRoutes modelRoutes(ModelRepository repository, Map<String, ModelStatistics> modelStatistics,
                            GatewayProperties properties, MeterRegistry registry) {
        ModelRoutes routes = ModelRoutes.connect(repository, modelStatistics, PooledByteBufAllocator.DEFAULT,
                Duration.ofMillis(properties.keepAliveMillis()));
        for (ServedModel model : repository.models()) {
            modelStatistics.get(model.name()).register(registry, x -> routes.queued(x.model()), model.path().label());
        }
        return routes;
    }

    @Bean
    RouterFunction<ServerResponse> inferenceRoutes(ModelRepository repository, ModelRoutes routes,
                                                   Map<String, ModelStatistics> modelStatistics,
                                                   GatewayProperties properties,
                                                   ApplicationAvailability availability) {
        InferenceHandler infer = new InferenceHandler(repository, routes, modelStatistics,
                properties.maxBodyBytes(), properties.maxJsonDepth(), PooledByteBufAllocator.DEFAULT);
        ModelEndpoints endpoints = new ModelEndpoints(repository, modelStatistics,
                () -> availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC);
        return RouterFunctions.route(GET("/v2"), endpoints::server)
                .andRoute(GET("/v2/health/live"), endpoints::live)
                .andRoute(GET("/v2/health/ready"), endpoints::ready)
                .andRoute(GET("/v2/models/stats"), endpoints::stats)
                .andRoute(GET("/v2/models/{model}"), endpoints::metadata)
                .andRoute(GET("/v2/models/{model}/versions/{version}"), endpoints::metadata)
                .andRoute(GET("/v2/models/{model}/ready"), endpoints::modelReady)
                .andRoute(GET("/v2/models/{model}/versions/{version}/ready"), endpoints::modelReady)
                .andRoute(GET("/v2/models/{model}/stats"), endpoints::stats)
                .andRoute(GET("/v2/models/{model}/versions/{version}/stats"), endpoints::stats)
                .andRoute(POST("/v2/models/{model}/infer"), infer::infer)
                .andRoute(POST("/v2/models/{model}/versions/{version}/infer"), infer::infer);
    }
}
