package io.hps.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimTemplate;
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
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders the kustomize base and every overlay with {@code kubectl kustomize}, reads each object
 * into its Kubernetes API type (misspelt fields fail) and checks the deployment policies: Pod
 * Security "restricted" for every container, resources, actuator probes, graceful shutdown,
 * disruption budgets, default-deny networking, Services and ServiceMonitors that reach real
 * ports, and ps.json ConfigMaps that the parameter server accepts. The services' wiring is
 * checked as the services read it: each container's environment bound to the service's own
 * settings, the gateway's mounted model repository loaded by the gateway's loader, and every
 * connection between the services reaching a listening port that the NetworkPolicies open.
 */
class KubernetesManifestsTest {
    /** Spring Boot's graceful drain, spring.lifecycle.timeout-per-shutdown-phase in application.yml. */
    private static final int DRAIN_SECONDS = 20;
    private static final String NAMESPACE = "hps";
    /** Where shared-memory connections keep their rings ({@code io.hps.transport.shm.ShmSettings}). */
    private static final Path SHM_RING_DIRECTORY = Path.of("/dev/shm");
    private static final Pattern DEPENDENT_VARIABLE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static final Map<String, RenderedManifests> RENDERED = new ConcurrentHashMap<>();

    @TempDir
    static Path scratch;
    private static DemoModels demoModels;

    @BeforeAll
    static void demoModels() throws IOException {
        demoModels = new DemoModels(Files.createDirectories(scratch.resolve("demo-models")));
    }

    static Stream<String> kustomizations() {
        return Stream.of("base", "overlays/colocated", "overlays/gpu", "overlays/redis");
    }

    static Stream<String> allKustomizations() {
        return Stream.concat(kustomizations(), Stream.of("redis-cluster"));
    }

    private static RenderedManifests rendered(String kustomization) {
        return RENDERED.computeIfAbsent(kustomization, RenderedManifests::render);
    }

    private static boolean isServiceImage(Container c) {
        return c.getImage().startsWith("hps/");
    }

    @ParameterizedTest
    @MethodSource("allKustomizations")
    void shouldRenderObjectsOfKnownApiTypes(String kustomization) {
        assertThat(rendered(kustomization).all()).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("allKustomizations")
    void shouldRunEveryContainerUnderRestrictedPodSecurity(String kustomization) {
        rendered(kustomization).podTemplates().forEach((workload, template) -> {
            PodSpec pod = template.getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(workload + " runAsNonRoot").isTrue();
            assertThat(pod.getSecurityContext().getSeccompProfile().getType()).as(workload + " seccomp")
                    .isEqualTo("RuntimeDefault");
            assertThat(pod.getAutomountServiceAccountToken()).as(workload + " service account token").isFalse();
            containers(pod).forEach(c -> {
                String where = workload + "/" + c.getName();
                SecurityContext security = c.getSecurityContext();
                assertThat(security).as(where + " securityContext").isNotNull();
                assertThat(security.getAllowPrivilegeEscalation()).as(where + " allowPrivilegeEscalation").isFalse();
                assertThat(security.getReadOnlyRootFilesystem()).as(where + " readOnlyRootFilesystem").isTrue();
                assertThat(security.getRunAsNonRoot()).as(where + " runAsNonRoot").isTrue();
                assertThat(security.getPrivileged()).as(where + " privileged").isNotEqualTo(Boolean.TRUE);
                assertThat(security.getCapabilities().getDrop()).as(where + " capabilities.drop").containsExactly("ALL");
                assertThat(security.getCapabilities().getAdd()).as(where + " capabilities.add").isNullOrEmpty();
            });
        });
    }

    @ParameterizedTest
    @MethodSource("allKustomizations")
    void shouldSetCpuAndMemoryRequestsAndMemoryLimitOnEveryContainer(String kustomization) {
        rendered(kustomization).podTemplates().forEach((workload, template) -> containers(template.getSpec())
                .forEach(c -> {
                    String where = workload + "/" + c.getName();
                    assertThat(c.getResources().getRequests()).as(where + " requests").containsKeys("cpu", "memory");
                    assertThat(c.getResources().getLimits()).as(where + " limits").containsKey("memory");
                    assertThat(Quantity.getAmountInBytes(c.getResources().getLimits().get("memory")))
                            .as(where + " memory limit >= request")
                            .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(c.getResources().getRequests().get("memory")));
                }));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldProbeEveryServiceContainerOnActuatorHealthGroups(String kustomization) {
        rendered(kustomization).of(Deployment.class).forEach(d -> d.getSpec().getTemplate().getSpec().getContainers()
                .stream().filter(KubernetesManifestsTest::isServiceImage).forEach(c -> {
                    String where = d.getMetadata().getName() + "/" + c.getName();
                    assertThat(httpPath(c, c.getStartupProbe())).as(where + " startup").isEqualTo("/actuator/health/liveness");
                    assertThat(httpPath(c, c.getLivenessProbe())).as(where + " liveness").isEqualTo("/actuator/health/liveness");
                    assertThat(httpPath(c, c.getReadinessProbe())).as(where + " readiness").isEqualTo("/actuator/health/readiness");
                }));
    }

    /** The probe's HTTP path, after checking that its port is one the container declares. */
    private static String httpPath(Container c, Probe probe) {
        assertThat(probe).as(c.getName() + " probe").isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as(c.getName() + " probe httpGet").isNotNull();
        assertThat(declares(c, get.getPort())).as(c.getName() + " probe port " + get.getPort()).isTrue();
        return get.getPath();
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldGiveEveryReadOnlyServiceContainerAWritableTmp(String kustomization) {
        rendered(kustomization).podTemplates().forEach((workload, template) -> containers(template.getSpec())
                .filter(KubernetesManifestsTest::isServiceImage).forEach(c -> {
                    VolumeMount tmp = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp"))
                            .findFirst().orElseThrow(() -> new AssertionError(workload + "/" + c.getName() + " has no /tmp"));
                    assertThat(volume(template, tmp.getName()).getEmptyDir()).as(workload + " /tmp emptyDir").isNotNull();
                }));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldKeepServingUntilEndpointsDropThenDrainWithinTheGracePeriod(String kustomization) {
        rendered(kustomization).of(Deployment.class).forEach(d -> {
            PodSpec pod = d.getSpec().getTemplate().getSpec();
            pod.getContainers().stream().filter(KubernetesManifestsTest::isServiceImage).forEach(c -> {
                String where = d.getMetadata().getName() + "/" + c.getName();
                assertThat(c.getLifecycle()).as(where + " lifecycle").isNotNull();
                Integer sleep = c.getLifecycle().getPreStop().getSleep().getSeconds().intValue();
                assertThat(sleep).as(where + " preStop sleep").isPositive();
                assertThat(pod.getTerminationGracePeriodSeconds()).as(where + " terminationGracePeriodSeconds")
                        .isGreaterThan((long) sleep + DRAIN_SECONDS);
            });
        });
    }

    @ParameterizedTest
    @MethodSource("allKustomizations")
    void shouldCoverEveryWorkloadWithADisruptionBudget(String kustomization) {
        RenderedManifests manifests = rendered(kustomization);
        List<PodDisruptionBudget> budgets = manifests.of(PodDisruptionBudget.class);
        Stream.concat(manifests.of(Deployment.class).stream().map(d -> Map.entry(d.getMetadata().getName(), d.getSpec().getTemplate())),
                        manifests.of(StatefulSet.class).stream().map(s -> Map.entry(s.getMetadata().getName(), s.getSpec().getTemplate())))
                .forEach(w -> assertThat(budgets).as("PodDisruptionBudget for " + w.getKey())
                        .anyMatch(b -> selects(b.getSpec().getSelector(), w.getValue().getMetadata().getLabels())));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldDenyAllTrafficByDefaultInARestrictedNamespace(String kustomization) {
        RenderedManifests manifests = rendered(kustomization);
        NetworkPolicy deny = manifests.named(NetworkPolicy.class, "default-deny").orElseThrow();
        assertThat(deny.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(deny.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
        assertThat(deny.getSpec().getEgress()).isNullOrEmpty();
        Namespace namespace = manifests.of(Namespace.class).getFirst();
        assertThat(namespace.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        assertThat(manifests.all()).allSatisfy(o -> {
            if (o instanceof io.fabric8.kubernetes.api.model.HasMetadata m && !(o instanceof Namespace)) {
                assertThat(m.getMetadata().getNamespace()).as(m.getKind() + "/" + m.getMetadata().getName()).isEqualTo("hps");
            }
        });
    }

    @ParameterizedTest
    @MethodSource("allKustomizations")
    void shouldRouteEveryServicePortToAPortOfTheSelectedPods(String kustomization) {
        RenderedManifests manifests = rendered(kustomization);
        for (Service service : manifests.of(Service.class)) {
            String name = service.getMetadata().getName();
            List<PodTemplateSpec> pods = manifests.podTemplates().values().stream()
                    .filter(t -> selects(service.getSpec().getSelector(), t.getMetadata().getLabels())).toList();
            assertThat(pods).as("pods behind Service " + name).isNotEmpty();
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(pods).as("Service " + name + " port " + port.getName()).allMatch(t -> t.getSpec()
                        .getContainers().stream().anyMatch(c -> declares(c, port.getTargetPort())));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("allKustomizations")
    void shouldScrapeANamedPortOfAnExistingService(String kustomization) {
        RenderedManifests manifests = rendered(kustomization);
        for (ServiceMonitor monitor : manifests.of(ServiceMonitor.class)) {
            List<Service> services = manifests.of(Service.class).stream()
                    .filter(s -> selects(monitor.spec().selector(), s.getMetadata().getLabels())).toList();
            assertThat(services).as("Services of ServiceMonitor " + monitor.name()).isNotEmpty();
            for (ServiceMonitor.Endpoint endpoint : monitor.spec().endpoints()) {
                assertThat(services).as("ServiceMonitor " + monitor.name() + " port " + endpoint.port())
                        .allMatch(s -> s.getSpec().getPorts().stream().anyMatch(p -> endpoint.port().equals(p.getName())));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldMountAPsConfigThatTheParameterServerAccepts(String kustomization) {
        RenderedManifests manifests = rendered(kustomization);
        List<Map.Entry<PodTemplateSpec, Container>> servers = manifests.podTemplates().values().stream()
                .flatMap(t -> t.getSpec().getContainers().stream().filter(c -> env(c, "HPS_PS_CONFIG").isPresent())
                        .map(c -> Map.entry(t, c))).toList();
        assertThat(servers).as("containers with HPS_PS_CONFIG").isNotEmpty();
        servers.forEach(server -> {
            Path file = Path.of(env(server.getValue(), "HPS_PS_CONFIG").orElseThrow());
            VolumeMount mount = server.getValue().getVolumeMounts().stream()
                    .filter(m -> Path.of(m.getMountPath()).equals(file.getParent())).findFirst().orElseThrow();
            String configMapName = volume(server.getKey(), mount.getName()).getConfigMap().getName();
            ConfigMap configMap = manifests.named(ConfigMap.class, configMapName).orElseThrow();
            String json = configMap.getData().get(file.getFileName().toString());
            assertThat(json).as("ps.json in ConfigMap " + configMapName).isNotNull();
            PsConfigFile ps = PsConfigCodec.parse(json, file.getParent());
            assertThat(ps.issues()).as("ps.json issues").isEmpty();
            assertThat(ps.config().models()).allSatisfy(m -> assertThat(m.sparseFiles())
                    .allMatch(p -> p.startsWith("/models/" + m.model())));
        });
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldAutoscaleAnExistingDeploymentOnACustomMetric(String kustomization) {
        RenderedManifests manifests = rendered(kustomization);
        HorizontalPodAutoscaler hpa = manifests.named(HorizontalPodAutoscaler.class, "gateway").orElseThrow();
        assertThat(manifests.named(Deployment.class, hpa.getSpec().getScaleTargetRef().getName())).isPresent();
        assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo("Pods");
            assertThat(m.getPods().getMetric().getName()).isEqualTo("nv_inference_queue_duration_us_per_request");
        });
    }

    @Test
    void shouldGiveTheGpuServicesOneGpuOnGpuNodes() {
        RenderedManifests gpu = rendered("overlays/gpu");
        for (String name : List.of("hps-service", "dense-service")) {
            PodSpec pod = gpu.named(Deployment.class, name).orElseThrow().getSpec().getTemplate().getSpec();
            assertThat(pod.getContainers().getFirst().getResources().getLimits())
                    .containsEntry("nvidia.com/gpu", new Quantity("1"));
            assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
            assertThat(pod.getTolerations()).anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()));
            assertThat(pod.getContainers().getFirst().getImage()).endsWith("-gpu");
        }
        PodSpec gateway = gpu.named(Deployment.class, "gateway").orElseThrow().getSpec().getTemplate().getSpec();
        assertThat(gateway.getContainers().getFirst().getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
    }

    @Test
    void shouldRunHpsAndDenseInOnePodSharingShmAndOneGpuClaim() {
        RenderedManifests colocated = rendered("overlays/colocated");
        assertThat(colocated.named(Deployment.class, "hps-service")).isEmpty();
        PodTemplateSpec pod = colocated.named(Deployment.class, "dense-service").orElseThrow().getSpec().getTemplate();
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName)
                .containsExactlyInAnyOrder("dense-service", "hps-service");
        String template = pod.getSpec().getResourceClaims().getFirst().getResourceClaimTemplateName();
        assertThat(colocated.named(ResourceClaimTemplate.class, template)).isPresent();
        for (Container c : pod.getSpec().getContainers()) {
            VolumeMount shm = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/dev/shm"))
                    .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " does not mount /dev/shm"));
            assertThat(volume(pod, shm.getName()).getEmptyDir().getMedium()).isEqualTo("Memory");
            assertThat(c.getResources().getClaims()).extracting(r -> r.getName())
                    .containsExactly(pod.getSpec().getResourceClaims().getFirst().getName());
        }
        Container dense = pod.getSpec().getContainers().stream().filter(c -> c.getName().equals("dense-service"))
                .findFirst().orElseThrow();
        Container hps = pod.getSpec().getContainers().stream().filter(c -> c.getName().equals("hps-service"))
                .findFirst().orElseThrow();
        DenseServiceProperties denseSettings = ServiceModule.DENSE_SERVICE.settings("dense-service",
                environment(dense), DenseServiceProperties.class);
        HpsServiceProperties hpsSettings = ServiceModule.HPS_SERVICE.settings("hps-service", environment(hps),
                HpsServiceProperties.class);
        assertThat(hpsSettings.rsocket().shmSocket()).as("hps.rsocket.shm-socket").isNotNull()
                .startsWithRaw(SHM_RING_DIRECTORY);
        assertThat(denseSettings.hpsReplicas()).as("dense.hps-replicas")
                .containsExactly(Endpoints.SHM + hpsSettings.rsocket().shmSocket());
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldSetOnlyEnvironmentVariablesThatTheServicesRead(String kustomization) {
        Map<String, List<String>> unread = new LinkedHashMap<>();
        rendered(kustomization).podTemplates().forEach((workload, template) -> template.getSpec().getContainers()
                .stream().filter(KubernetesManifestsTest::isServiceImage).forEach(c -> {
                    String where = workload + "/" + c.getName();
                    ServiceModule module = ServiceModule.ofImage(c.getImage())
                            .orElseThrow(() -> new AssertionError(where + ": image of no service: " + c.getImage()));
                    assertThat(environment(c)).as(where + " environment").isNotEmpty();
                    List<String> names = module.unconsumed(environment(c));
                    if (!names.isEmpty()) {
                        unread.put(where, names);
                    }
                }));
        assertThat(unread).as("environment variables that the container's service never reads").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldRunEveryServiceImageAtAnExplicitTag(String kustomization) {
        rendered(kustomization).podTemplates().forEach((workload, template) -> containers(template.getSpec())
                .filter(KubernetesManifestsTest::isServiceImage)
                .forEach(c -> assertThat(c.getImage()).as(workload + "/" + c.getName() + " image")
                        .matches("hps/[a-z-]+:[A-Za-z0-9_.-]+")));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldServeModelsWhoseEnsembleLookupsReachAnHpsServiceReplica(String kustomization) {
        RenderedManifests manifests = rendered(kustomization);
        List<Placed> denses = serviceContainers(manifests, ServiceModule.DENSE_SERVICE);
        assertThat(denses).as("dense-service containers").isNotEmpty();
        for (Placed dense : denses) {
            DenseServiceProperties settings = ServiceModule.DENSE_SERVICE.settings(dense.where(),
                    environment(dense.container()), DenseServiceProperties.class);
            assertThat(settings.models()).as(dense.where() + " dense.models").isNotEmpty();
            ContainerFiles files = ContainerFiles.of(manifests, dense.pod(), dense.container(), scratch, demoModels);
            settings.models().forEach(m -> assertThat(files.hostPath("dense.models[].model-dir", m.modelDir())
                    .resolve("model.json")).as(dense.where() + " model " + m.name() + " model-dir " + m.modelDir())
                    .isRegularFile());
            if (settings.models().stream().anyMatch(m -> m.path() == PathKind.ENSEMBLE
                    && m.device() == DenseServiceProperties.Device.CPU)) {
                assertThat(settings.hpsReplicas()).as(dense.where() + " dense.hps-replicas").isNotEmpty();
            }
            for (String replica : settings.hpsReplicas()) {
                switch (Endpoints.parse("dense.hps-replicas", replica)) {
                    case InetSocketAddress tcp -> reached(manifests, dense, tcp, ServiceModule.HPS_SERVICE);
                    case UnixDomainSocketAddress shm -> assertSharedMemoryServer(dense, shm.getPath());
                    default -> fail(dense.where() + ": unknown replica endpoint " + replica);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void shouldMountAGatewayRepositoryThatLoadsAndRoutesToServedModels(String kustomization) throws IOException {
        RenderedManifests manifests = rendered(kustomization);
        List<Placed> gateways = serviceContainers(manifests, ServiceModule.GATEWAY);
        assertThat(gateways).as("gateway containers").isNotEmpty();
        for (Placed gateway : gateways) {
            GatewayProperties settings = ServiceModule.GATEWAY.settings(gateway.where(),
                    environment(gateway.container()), GatewayProperties.class);
            ContainerFiles files = ContainerFiles.of(manifests, gateway.pod(), gateway.container(), scratch,
                    demoModels);
            ModelRepository repository = MountedRepository.load(files, settings.repository());
            assertThat(repository.models()).as(gateway.where() + " models").isNotEmpty();
            for (ServedModel model : repository.models()) {
                String where = gateway.where() + " model " + model.name();
                boolean dense = model.backend().service() == BackendService.DENSE_SERVICE;
                for (InetSocketAddress address : model.backend().addresses()) {
                    for (Placed backend : reached(manifests, gateway, address,
                            dense ? ServiceModule.DENSE_SERVICE : ServiceModule.HPS_SERVICE)) {
                        if (dense) {
                            assertServesInstance(manifests, backend, model, where);
                        } else {
                            assertServesTables(manifests, backend, model, where);
                        }
                    }
                }
            }
        }
    }

    /** The dense-service container serves the backend model as an instance of the same path and model.json. */
    private static void assertServesInstance(RenderedManifests manifests, Placed backend, ServedModel model,
                                             String where) throws IOException {
        DenseServiceProperties settings = ServiceModule.DENSE_SERVICE.settings(backend.where(),
                environment(backend.container()), DenseServiceProperties.class);
        DenseServiceProperties.Model instance = settings.models().stream()
                .filter(m -> m.name().equals(model.backend().model())).findFirst()
                .orElseThrow(() -> new AssertionError(where + ": backend model " + model.backend().model()
                        + " is none of the instances of " + backend.where() + " " + settings.models()));
        assertThat(instance.path().name()).as(where + " path").isEqualTo(model.path().name());
        Path served = ContainerFiles.of(manifests, backend.pod(), backend.container(), scratch, demoModels)
                .hostPath("dense.models[].model-dir", instance.modelDir()).resolve("model.json");
        assertThat(Files.readString(model.modelJson())).as(where + ": model.json of the gateway and of "
                + backend.where()).isEqualTo(Files.readString(served));
    }

    /** The hps-service container's ps.json has the backend model. */
    private static void assertServesTables(RenderedManifests manifests, Placed backend, ServedModel model,
                                           String where) {
        HpsServiceProperties settings = ServiceModule.HPS_SERVICE.settings(backend.where(),
                environment(backend.container()), HpsServiceProperties.class);
        Path ps = ContainerFiles.of(manifests, backend.pod(), backend.container(), scratch, demoModels)
                .hostPath("hps.ps-config", settings.psConfig());
        assertThat(PsConfigCodec.read(ps).config().models()).extracting(m -> m.model())
                .as(where + ": models of " + backend.where() + " ps.json").contains(model.backend().model());
    }

    /**
     * The containers a client in the namespace reaches at {@code address} (a Service's name and port), after
     * checking that each is a {@code module} container whose RSocket server listens on the port the Service sends
     * to, and that the NetworkPolicies let the client's pod connect.
     */
    private static List<Placed> reached(RenderedManifests manifests, Placed client, InetSocketAddress address,
                                        ServiceModule module) {
        String edge = client.where() + " -> " + address.getHostString() + ":" + address.getPort();
        String[] labels = address.getHostString().split("\\.");
        if (labels.length > 1) {
            assertThat(labels[1]).as(edge + " namespace").isEqualTo(NAMESPACE);
        }
        Service service = manifests.named(Service.class, labels[0])
                .orElseThrow(() -> new AssertionError(edge + ": no Service " + labels[0]));
        ServicePort servicePort = service.getSpec().getPorts().stream()
                .filter(p -> p.getPort() == address.getPort()).findFirst()
                .orElseThrow(() -> new AssertionError(edge + ": Service " + labels[0] + " has no port "
                        + address.getPort()));
        NetworkPolicies policies = new NetworkPolicies(manifests.of(NetworkPolicy.class), NAMESPACE);
        List<Placed> servers = new ArrayList<>();
        manifests.podTemplates().forEach((workload, template) -> {
            if (!selects(service.getSpec().getSelector(), template.getMetadata().getLabels())) {
                return;
            }
            Container server = template.getSpec().getContainers().stream()
                    .filter(c -> declares(c, servicePort.getTargetPort())).findFirst()
                    .orElseThrow(() -> new AssertionError(edge + ": " + workload + " declares no port "
                            + servicePort.getTargetPort()));
            String where = workload + "/" + server.getName();
            ContainerPort port = containerPort(server, servicePort.getTargetPort());
            assertThat(ServiceModule.ofImage(server.getImage())).as(edge + " reaches " + where).contains(module);
            Map<String, String> env = environment(server);
            record Listener(String host, int port) {
            }
            Listener listener = switch (module) {
                case HPS_SERVICE -> {
                    HpsServiceProperties.Rsocket r = ServiceModule.HPS_SERVICE.settings(where, env,
                            HpsServiceProperties.class).rsocket();
                    yield new Listener(r.host(), r.port());
                }
                case DENSE_SERVICE -> {
                    DenseServiceProperties.Rsocket r = ServiceModule.DENSE_SERVICE.settings(where, env,
                            DenseServiceProperties.class).rsocket();
                    yield new Listener(r.host(), r.port());
                }
                case GATEWAY -> throw new AssertionError(edge + ": the gateway has no RSocket server");
            };
            assertThat(listener.port()).as(edge + ": RSocket port of " + where).isEqualTo(port.getContainerPort());
            assertThat(listener.host()).as(edge + ": RSocket bind address of " + where)
                    .isNotIn("127.0.0.1", "localhost", "::1");
            Map<String, String> from = client.pod().getMetadata().getLabels();
            Map<String, String> to = template.getMetadata().getLabels();
            assertThat(policies.allowsEgress(from, to, port)).as(edge + ": egress allowed to " + where).isTrue();
            assertThat(policies.allowsIngress(from, to, port)).as(edge + ": ingress allowed to " + where).isTrue();
            servers.add(new Placed(where, template, server));
        });
        assertThat(servers).as(edge + ": pods behind Service " + labels[0]).isNotEmpty();
        return servers;
    }

    /**
     * A shared-memory endpoint of a dense-service container: the socket is on a volume that an hps-service container
     * of the same pod mounts too, and that container listens there (hps.rsocket.shm-socket); both see the same ring
     * directory.
     */
    private static void assertSharedMemoryServer(Placed dense, Path socket) {
        String edge = dense.where() + " -> shm:" + socket;
        VolumeMount mount = dense.container().getVolumeMounts().stream()
                .filter(m -> socket.startsWith(m.getMountPath()))
                .max(Comparator.comparingInt(m -> Path.of(m.getMountPath()).getNameCount()))
                .orElseThrow(() -> new AssertionError(edge + ": the socket is on no volume"));
        assertThat(volume(dense.pod(), mount.getName()).getEmptyDir()).as(edge + " volume " + mount.getName())
                .isNotNull();
        Path inVolume = Path.of(mount.getMountPath()).relativize(socket);
        Optional<String> denseRings = mountAt(dense.container(), SHM_RING_DIRECTORY);
        List<Container> servers = dense.pod().getSpec().getContainers().stream()
                .filter(c -> ServiceModule.ofImage(c.getImage()).equals(Optional.of(ServiceModule.HPS_SERVICE)))
                .filter(c -> {
                    Path listening = ServiceModule.HPS_SERVICE.settings(dense.where() + "/" + c.getName(),
                            environment(c), HpsServiceProperties.class).rsocket().shmSocket();
                    return listening != null && c.getVolumeMounts().stream().anyMatch(m -> m.getName()
                            .equals(mount.getName()) && Path.of(m.getMountPath()).resolve(inVolume).equals(listening));
                }).toList();
        assertThat(servers).as(edge + ": hps-service containers of the pod listening there").isNotEmpty();
        for (Container server : servers) {
            assertThat(denseRings).as(edge + ": " + SHM_RING_DIRECTORY + " shared with " + server.getName())
                    .isPresent().isEqualTo(mountAt(server, SHM_RING_DIRECTORY));
        }
    }

    private static Optional<String> mountAt(Container c, Path path) {
        return c.getVolumeMounts().stream().filter(m -> Path.of(m.getMountPath()).equals(path))
                .map(VolumeMount::getName).findFirst();
    }

    /** One container of a workload's pod template. */
    private record Placed(String where, PodTemplateSpec pod, Container container) {
    }

    private static List<Placed> serviceContainers(RenderedManifests manifests, ServiceModule module) {
        List<Placed> placed = new ArrayList<>();
        manifests.podTemplates().forEach((workload, template) -> template.getSpec().getContainers().stream()
                .filter(c -> ServiceModule.ofImage(c.getImage()).equals(Optional.of(module)))
                .forEach(c -> placed.add(new Placed(workload + "/" + c.getName(), template, c))));
        return placed;
    }

    /** The container's environment, {@code $(NAME)} references to earlier variables expanded as the kubelet does. */
    private static Map<String, String> environment(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : Optional.ofNullable(c.getEnv()).orElse(List.<EnvVar>of())) {
            String value = Objects.requireNonNullElse(var.getValue(), "");
            Matcher m = DEPENDENT_VARIABLE.matcher(value);
            StringBuilder expanded = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(expanded, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
            }
            env.put(var.getName(), m.appendTail(expanded).toString());
        }
        return env;
    }

    private static ContainerPort containerPort(Container c, IntOrString port) {
        return c.getPorts().stream().filter(p -> port.getStrVal() != null ? port.getStrVal().equals(p.getName())
                : p.getContainerPort().equals(port.getIntVal())).findFirst().orElseThrow();
    }

    @Test
    void shouldPointTheVolatileTierAtEveryRedisClusterNode() {
        RenderedManifests redis = rendered("overlays/redis");
        StatefulSet cluster = redis.named(StatefulSet.class, "redis-cluster").orElseThrow();
        String json = redis.of(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().startsWith("hps-ps-config"))
                .findFirst().orElseThrow().getData().get("ps.json");
        VolatileDbConfig volatileDb = PsConfigCodec.parse(json, Path.of("/etc/hps")).config().volatileDb();
        assertThat(volatileDb.type()).isEqualTo(VolatileDbConfig.Type.REDIS_CLUSTER);
        List<String> expected = java.util.stream.IntStream.range(0, cluster.getSpec().getReplicas())
                .mapToObj(i -> "redis-cluster-" + i + "." + cluster.getSpec().getServiceName() + ":6379").toList();
        assertThat(volatileDb.address().split(",")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(redis.of(NetworkPolicy.class)).anyMatch(p -> p.getSpec().getEgress() != null
                && selectsName(p.getSpec().getPodSelector(), "hps-service")
                && p.getSpec().getEgress().stream().anyMatch(e -> e.getPorts().stream()
                        .anyMatch(port -> Objects.equals(port.getPort(), new IntOrString(6379)))));
    }

    @Test
    void shouldRejectAMisspeltField() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: x
                spec:
                  replica: 2
                  selector: {matchLabels: {a: b}}
                  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}
                """;
        assertThatThrownBy(() -> RenderedManifests.read("test", yaml)).hasStackTraceContaining("replica");
        assertThatThrownBy(() -> RenderedManifests.read("test", yaml.replace("replica:", "replicas:")
                .replace("image: i", "image: i, securityContxt: {}"))).hasStackTraceContaining("securityContxt");
        assertThat(RenderedManifests.read("test", yaml.replace("replica:", "replicas:")).of(Deployment.class))
                .singleElement().satisfies(d -> assertThat(d.getSpec().getReplicas()).isEqualTo(2));
    }

    private static Stream<Container> containers(PodSpec pod) {
        return Stream.concat(Optional.ofNullable(pod.getInitContainers()).orElse(List.of()).stream(),
                pod.getContainers().stream());
    }

    private static Volume volume(PodTemplateSpec template, String name) {
        return template.getSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("volume not declared: name=" + name));
    }

    private static Optional<String> env(Container c, String name) {
        return Optional.ofNullable(c.getEnv()).orElse(List.of()).stream().filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue).findFirst();
    }

    private static boolean declares(Container c, IntOrString port) {
        List<ContainerPort> ports = Optional.ofNullable(c.getPorts()).orElse(List.of());
        return port.getStrVal() != null
                ? ports.stream().anyMatch(p -> port.getStrVal().equals(p.getName()))
                : ports.stream().anyMatch(p -> p.getContainerPort().equals(port.getIntVal()));
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        return selector.getMatchExpressions().isEmpty() && selects(selector.getMatchLabels(), labels);
    }

    private static boolean selectsName(LabelSelector selector, String name) {
        return name.equals(Optional.ofNullable(selector.getMatchLabels()).orElse(Map.of()).get("app.kubernetes.io/name"))
                || selector.getMatchExpressions().stream().anyMatch(e -> e.getKey().equals("app.kubernetes.io/name")
                        && e.getOperator().equals("In") && e.getValues().contains(name));
    }
}
