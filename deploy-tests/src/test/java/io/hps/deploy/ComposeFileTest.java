package io.hps.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.hps.dense.path.PathKind;
import io.hps.dense.service.DenseServiceProperties;
import io.hps.gateway.GatewayProperties;
import io.hps.gateway.repository.BackendService;
import io.hps.gateway.repository.ModelRepository;
import io.hps.gateway.repository.ServedModel;
import io.hps.model.config.PsConfigCodec;
import io.hps.model.config.PsConfigFile;
import io.hps.model.config.VolatileDbConfig;
import io.hps.service.HpsServiceProperties;
import io.hps.transport.Endpoints;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/compose.yaml runs the whole pipeline: the services it names exist, Prometheus scrapes
 * each service on the port the service listens on, every file it mounts is in the repository,
 * and the services are wired as they read their settings: every environment variable is one the
 * service reads, dense-service serves models looking up at hps-service, and the gateway's
 * mounted model repository loads and routes to models that dense-service and hps-service serve.
 */
class ComposeFileTest {
    private static final YAMLMapper YAML = new YAMLMapper();

    @TempDir
    static Path scratch;
    private static DemoModels demoModels;

    @BeforeAll
    static void demoModels() throws IOException {
        demoModels = new DemoModels(Files.createDirectories(scratch.resolve("demo-models")));
    }

    private static JsonNode compose() throws IOException {
        return YAML.readTree(ProjectFiles.root().resolve("deploy/compose.yaml").toFile());
    }

    @Test
    void shouldRunThePipelineWithRedisPrometheusAndGrafana() throws IOException {
        Set<String> services = new TreeSet<>();
        compose().path("services").fieldNames().forEachRemaining(services::add);
        assertThat(services).contains("redis", "redis-exporter", "hps-service", "dense-service", "gateway",
                "prometheus", "grafana");
        for (String service : List.of("hps-service", "dense-service", "gateway")) {
            assertThat(compose().path("services").path(service).path("image").asText())
                    .isEqualTo("hps/" + service + ":0.1.0-SNAPSHOT");
        }
    }

    @Test
    void shouldScrapeEveryServiceOnAPortItPublishes() throws IOException {
        JsonNode services = compose().path("services");
        JsonNode config = YAML.readTree(ProjectFiles.prometheus().resolve("prometheus.yml").toFile());
        List<String> targets = new ArrayList<>();
        config.path("scrape_configs").forEach(job -> job.path("static_configs")
                .forEach(c -> c.path("targets").forEach(t -> targets.add(t.asText()))));
        assertThat(targets).containsExactlyInAnyOrder("gateway:8002", "dense-service:9201", "hps-service:9101",
                "redis-exporter:9121");
        for (String target : targets) {
            String[] hostPort = target.split(":");
            assertThat(services.has(hostPort[0])).as("compose service " + hostPort[0]).isTrue();
        }
        for (String target : List.of("gateway:8002", "dense-service:9201", "hps-service:9101")) {
            String[] hostPort = target.split(":");
            List<String> published = new ArrayList<>();
            services.path(hostPort[0]).path("ports").forEach(p -> published.add(p.asText()));
            assertThat(published).as(target).contains(hostPort[1] + ":" + hostPort[1]);
        }
    }

    @Test
    void shouldMountOnlyFilesThatExist() throws IOException {
        Path deploy = ProjectFiles.root().resolve("deploy");
        List<String> missing = new ArrayList<>();
        compose().path("services").forEach(service -> service.path("volumes").forEach(volume -> {
            String source = volume.asText().split(":")[0];
            if (source.startsWith(".") && !Files.exists(deploy.resolve(source))) {
                missing.add(source);
            }
        }));
        assertThat(missing).isEmpty();
    }

    @Test
    void shouldSetOnlyEnvironmentVariablesThatTheServicesRead() throws IOException {
        JsonNode compose = compose();
        Map<String, List<String>> unread = new LinkedHashMap<>();
        List<String> checked = new ArrayList<>();
        compose.path("services").properties().forEach(service -> ServiceModule.ofImage(
                service.getValue().path("image").asText()).ifPresent(module -> {
                    checked.add(service.getKey());
                    List<String> names = module.unconsumed(environment(service.getValue()));
                    if (!names.isEmpty()) {
                        unread.put(service.getKey(), names);
                    }
                }));
        assertThat(checked).as("services of the three images").contains("hps-service", "dense-service", "gateway");
        assertThat(unread).as("environment variables that the service never reads").isEmpty();
    }

    @Test
    void shouldServeModelsWhoseEnsembleLookupsReachHpsService() throws IOException {
        JsonNode compose = compose();
        List<String> denses = services(compose, ServiceModule.DENSE_SERVICE);
        assertThat(denses).as("dense-service services").isNotEmpty();
        for (String dense : denses) {
            DenseServiceProperties settings = ServiceModule.DENSE_SERVICE.settings(dense,
                    environment(compose.path("services").path(dense)), DenseServiceProperties.class);
            assertThat(settings.models()).as(dense + " dense.models").isNotEmpty();
            ContainerFiles files = files(compose, dense);
            settings.models().forEach(m -> assertThat(files.hostPath("dense.models[].model-dir", m.modelDir())
                    .resolve("model.json")).as(dense + " model " + m.name()).isRegularFile());
            if (settings.models().stream().anyMatch(m -> m.path() == PathKind.ENSEMBLE
                    && m.device() == DenseServiceProperties.Device.CPU)) {
                assertThat(settings.hpsReplicas()).as(dense + " dense.hps-replicas").isNotEmpty();
            }
            for (String replica : settings.hpsReplicas()) {
                SocketAddress address = Endpoints.parse("dense.hps-replicas", replica);
                assertThat(address).as(dense + " replica " + replica + " (containers share no /dev/shm here)")
                        .isInstanceOf(InetSocketAddress.class);
                reached(compose, dense, (InetSocketAddress) address, ServiceModule.HPS_SERVICE);
            }
        }
    }

    @Test
    void shouldUseTheRedisServiceAsTheVolatileTier() throws IOException {
        JsonNode compose = compose();
        List<String> servers = services(compose, ServiceModule.HPS_SERVICE).stream()
                .filter(s -> !compose.path("services").path(s).has("entrypoint")).toList();
        assertThat(servers).as("hps-service services (not the one-shot model writer)").isNotEmpty();
        JsonNode redis = compose.path("services").path("redis");
        assertThat(redis.path("image").asText()).as("the redis service's image").startsWith("redis:");
        assertThat(strings(redis.path("command"))).as("redis keeps its default port").doesNotContain("--port");
        for (String server : servers) {
            Path ps = files(compose, server).hostPath("hps.ps-config", ServiceModule.HPS_SERVICE
                    .settings(server, environment(compose.path("services").path(server)), HpsServiceProperties.class)
                    .psConfig());
            PsConfigFile file = PsConfigCodec.read(ps);
            assertThat(file.issues()).as(server + " ps.json issues").isEmpty();
            assertThat(file.config().volatileDb().type()).as(server + " volatile_db type")
                    .isEqualTo(VolatileDbConfig.Type.REDIS_CLUSTER);
            assertThat(file.config().volatileDb().address()).as(server + " volatile_db address")
                    .isEqualTo("redis:6379");
            assertThat(dependsOn(compose.path("services").path(server))).as(server + " depends_on")
                    .contains("redis");
        }
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Set<String> dependsOn(JsonNode service) {
        Set<String> names = new TreeSet<>();
        JsonNode dependsOn = service.path("depends_on");
        if (dependsOn.isArray()) {
            dependsOn.forEach(n -> names.add(n.asText()));
        } else {
            dependsOn.properties().forEach(e -> names.add(e.getKey()));
        }
        return names;
    }

    @Test
    void shouldMountAGatewayRepositoryThatLoadsAndRoutesToServedModels() throws IOException {
        JsonNode compose = compose();
        List<String> gateways = services(compose, ServiceModule.GATEWAY);
        assertThat(gateways).as("gateway services").isNotEmpty();
        for (String gateway : gateways) {
            GatewayProperties settings = ServiceModule.GATEWAY.settings(gateway,
                    environment(compose.path("services").path(gateway)), GatewayProperties.class);
            ModelRepository repository = MountedRepository.load(files(compose, gateway), settings.repository());
            assertThat(repository.models()).as(gateway + " models").isNotEmpty();
            for (ServedModel model : repository.models()) {
                String where = gateway + " model " + model.name();
                boolean dense = model.backend().service() == BackendService.DENSE_SERVICE;
                for (InetSocketAddress address : model.backend().addresses()) {
                    String backend = reached(compose, gateway, address,
                            dense ? ServiceModule.DENSE_SERVICE : ServiceModule.HPS_SERVICE);
                    Map<String, String> env = environment(compose.path("services").path(backend));
                    if (dense) {
                        DenseServiceProperties.Model instance = ServiceModule.DENSE_SERVICE
                                .settings(backend, env, DenseServiceProperties.class).models().stream()
                                .filter(m -> m.name().equals(model.backend().model())).findFirst()
                                .orElseThrow(() -> new AssertionError(where + ": backend model "
                                        + model.backend().model() + " is no instance of " + backend));
                        assertThat(instance.path().name()).as(where + " path").isEqualTo(model.path().name());
                        Path served = files(compose, backend).hostPath("dense.models[].model-dir", instance.modelDir())
                                .resolve("model.json");
                        assertThat(Files.readString(model.modelJson())).as(where + ": model.json of the gateway and of "
                                + backend).isEqualTo(Files.readString(served));
                    } else {
                        Path ps = files(compose, backend).hostPath("hps.ps-config", ServiceModule.HPS_SERVICE
                                .settings(backend, env, HpsServiceProperties.class).psConfig());
                        assertThat(PsConfigCodec.read(ps).config().models()).extracting(m -> m.model())
                                .as(where + ": models of " + backend + " ps.json").contains(model.backend().model());
                    }
                }
            }
        }
    }

    /**
     * The Compose service a client reaches at {@code address} (a service's name and the port its container listens
     * on), after checking that it runs {@code module} with its RSocket server on that port.
     */
    private static String reached(JsonNode compose, String client, InetSocketAddress address, ServiceModule module) {
        String edge = client + " -> " + address.getHostString() + ":" + address.getPort();
        String server = address.getHostString();
        JsonNode service = compose.path("services").path(server);
        assertThat(service.isObject()).as(edge + ": a service " + server).isTrue();
        assertThat(ServiceModule.ofImage(service.path("image").asText())).as(edge + " image").contains(module);
        Map<String, String> env = environment(service);
        int port = switch (module) {
            case HPS_SERVICE -> ServiceModule.HPS_SERVICE.settings(server, env, HpsServiceProperties.class)
                    .rsocket().port();
            case DENSE_SERVICE -> ServiceModule.DENSE_SERVICE.settings(server, env, DenseServiceProperties.class)
                    .rsocket().port();
            case GATEWAY -> throw new AssertionError(edge + ": the gateway has no RSocket server");
        };
        assertThat(port).as(edge + ": RSocket port of " + server).isEqualTo(address.getPort());
        return server;
    }

    private static List<String> services(JsonNode compose, ServiceModule module) {
        List<String> names = new ArrayList<>();
        compose.path("services").properties().forEach(s -> {
            if (ServiceModule.ofImage(s.getValue().path("image").asText()).equals(Optional.of(module))) {
                names.add(s.getKey());
            }
        });
        return names;
    }

    private static ContainerFiles files(JsonNode compose, String service) {
        return ContainerFiles.ofCompose(compose, ProjectFiles.root().resolve("deploy"), service, scratch, demoModels);
    }

    /** A service's {@code environment}, a mapping or a list of {@code NAME=value}. */
    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode environment = service.path("environment");
        if (environment.isObject()) {
            environment.properties().forEach(e -> env.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        } else {
            environment.forEach(e -> {
                String[] nameValue = e.asText().split("=", 2);
                env.put(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
            });
        }
        return env;
    }
}
