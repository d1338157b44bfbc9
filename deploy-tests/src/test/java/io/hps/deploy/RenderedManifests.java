package io.hps.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.resource.v1.ResourceClaimTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The objects one kustomization renders to, each read into its Kubernetes API type by
 * {@link StrictKubernetesMapper}: a misspelt or misplaced field, a wrong value type or an
 * apiVersion/kind without a type here fails the reading with the object and field named.
 */
final class RenderedManifests {
    private static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("resource.k8s.io/v1/ResourceClaimTemplate", ResourceClaimTemplate.class),
            Map.entry(ServiceMonitor.API_VERSION + "/ServiceMonitor", ServiceMonitor.class));

    private final String name;
    private final List<Object> objects;

    private RenderedManifests(String name, List<Object> objects) {
        this.name = name;
        this.objects = List.copyOf(objects);
    }

    /** Renders {@code k8s/<kustomization>} with {@code kubectl kustomize} and reads every object. */
    static RenderedManifests render(String kustomization) {
        ExternalTool kubectl = ExternalTool.require("kubectl",
                "https://kubernetes.io/docs/tasks/tools/; on Debian: the kubectl package");
        Path dir = ProjectFiles.k8s().resolve(kustomization);
        String yaml = kubectl.run(ProjectFiles.root(), "kustomize", dir.toString()).succeeded().output();
        return read(kustomization, yaml);
    }

    /** Reads a multi-document YAML stream. */
    static RenderedManifests read(String name, String yaml) {
        ObjectMapper mapper = StrictKubernetesMapper.create();
        List<Object> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = mapper.readerFor(JsonNode.class).readValues(yaml)) {
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    objects.add(typed(mapper, document));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("rendered manifests unreadable: kustomization=" + name, e);
        }
        return new RenderedManifests(name, objects);
    }

    private static Object typed(ObjectMapper mapper, JsonNode document) throws IOException {
        String key = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
        Class<?> type = TYPES.get(key);
        if (type == null) {
            throw new IllegalArgumentException("no API type for object: type=" + key
                    + " name=" + document.path("metadata").path("name").asText());
        }
        try {
            return mapper.treeToValue(document, type);
        } catch (IOException e) {
            throw new IOException("object does not match its API type: type=" + key
                    + " name=" + document.path("metadata").path("name").asText() + ": " + e.getMessage(), e);
        }
    }

    String name() {
        return name;
    }

    List<Object> all() {
        return objects;
    }

    <T> List<T> of(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> named(Class<T> type, String objectName) {
        return of(type).stream().filter(o -> o.getMetadata().getName().equals(objectName)).findFirst();
    }

    /** Every workload's pod template, keyed {@code Kind/name}. */
    Map<String, PodTemplateSpec> podTemplates() {
        Map<String, PodTemplateSpec> pods = new java.util.LinkedHashMap<>();
        of(Deployment.class).forEach(d -> pods.put("Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
        of(StatefulSet.class).forEach(s -> pods.put("StatefulSet/" + s.getMetadata().getName(), s.getSpec().getTemplate()));
        of(Job.class).forEach(j -> pods.put("Job/" + j.getMetadata().getName(), j.getSpec().getTemplate()));
        return pods;
    }

    @Override
    public String toString() {
        return name;
    }
}
