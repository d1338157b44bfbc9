package io.hps.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What one container sees on its volumes, written out on this machine: ConfigMap volumes as the files their items
 * name, Compose bind mounts as copies of the repository's files, and volumes an init container (or a one-shot Compose
 * service) fills with the demo model generator holding that model. Paths on no volume are not readable here.
 */
final class ContainerFiles {
    private final String where;
    private final Map<Path, Path> mounts;

    private ContainerFiles(String where, Map<Path, Path> mounts) {
        this.where = where;
        this.mounts = Map.copyOf(mounts);
    }

    /** The volumes of {@code container} in {@code pod}, written under {@code scratch}. */
    static ContainerFiles of(RenderedManifests manifests, PodTemplateSpec pod, Container container, Path scratch,
                             DemoModels models) {
        String where = manifests.name() + " " + pod.getMetadata().getLabels() + "/" + container.getName();
        Map<Path, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount mount : list(container.getVolumeMounts())) {
            Volume volume = list(pod.getSpec().getVolumes()).stream().filter(v -> v.getName().equals(mount.getName()))
                    .findFirst().orElseThrow(() -> new AssertionError(where + ": volume not declared: " + mount.getName()));
            Path dir = directory(scratch, mount.getName());
            if (volume.getConfigMap() != null) {
                String name = volume.getConfigMap().getName();
                ConfigMap configMap = manifests.named(ConfigMap.class, name)
                        .orElseThrow(() -> new AssertionError(where + ": ConfigMap not rendered: " + name));
                Map<String, String> data = Optional.ofNullable(configMap.getData()).orElse(Map.of());
                List<KeyToPath> items = list(volume.getConfigMap().getItems());
                if (items.isEmpty()) {
                    data.keySet().forEach(key -> write(dir.resolve(key), data.get(key)));
                }
                for (KeyToPath item : items) {
                    String content = data.get(item.getKey());
                    if (content == null) {
                        throw new AssertionError(where + ": ConfigMap " + name + " has no key " + item.getKey());
                    }
                    write(dir.resolve(item.getPath()), content);
                }
            } else if (volume.getEmptyDir() != null) {
                for (Container init : list(pod.getSpec().getInitContainers())) {
                    List<String> command = new ArrayList<>(list(init.getCommand()));
                    command.addAll(list(init.getArgs()));
                    DemoModels.generatorArguments(command).ifPresent(args -> list(init.getVolumeMounts()).stream()
                            .filter(m -> m.getName().equals(mount.getName()))
                            .forEach(m -> models.populate(dir, Path.of(m.getMountPath()), args)));
                }
            }
            String subPath = mount.getSubPath();
            mounts.put(Path.of(mount.getMountPath()), subPath == null || subPath.isEmpty() ? dir : dir.resolve(subPath));
        }
        return new ContainerFiles(where, mounts);
    }

    /** The volumes of Compose service {@code service} of {@code compose} (in {@code composeDir}), under {@code scratch}. */
    static ContainerFiles ofCompose(JsonNode compose, Path composeDir, String service, Path scratch, DemoModels models) {
        String where = "compose service " + service;
        Map<Path, Path> mounts = new LinkedHashMap<>();
        for (JsonNode volume : compose.path("services").path(service).path("volumes")) {
            Mount mount = Mount.of(volume);
            Path dir = directory(scratch, "volume");
            if (mount.bind()) {
                Path source = composeDir.resolve(mount.source()).normalize();
                if (!Files.exists(source)) {
                    throw new AssertionError(where + ": bind mount source missing: " + source);
                }
                dir = Files.isDirectory(source) ? dir : dir.resolve(source.getFileName().toString());
                copy(source, dir);
            } else {
                Path named = dir;
                compose.path("services").properties().forEach(other -> {
                    List<String> command = new ArrayList<>(strings(other.getValue().path("entrypoint")));
                    command.addAll(strings(other.getValue().path("command")));
                    DemoModels.generatorArguments(command).ifPresent(args -> {
                        for (JsonNode otherVolume : other.getValue().path("volumes")) {
                            Mount m = Mount.of(otherVolume);
                            if (!m.bind() && m.source().equals(mount.source())) {
                                models.populate(named, Path.of(m.target()), args);
                            }
                        }
                    });
                });
            }
            mounts.put(Path.of(mount.target()), dir);
        }
        return new ContainerFiles(where, mounts);
    }

    /** Where {@code containerPath} is on this machine; an assertion error when it is on no volume. */
    Path hostPath(Path containerPath) {
        return hostPath("path", containerPath);
    }

    /** As {@link #hostPath(Path)}, the error naming the path as {@code what}. */
    Path hostPath(String what, Path containerPath) {
        Path mount = mounts.keySet().stream().filter(containerPath::startsWith)
                .max(Comparator.comparingInt(Path::getNameCount))
                .orElseThrow(() -> new AssertionError(where + ": " + what + " " + containerPath
                        + " is on none of its volumes " + mounts.keySet()));
        return mounts.get(mount).resolve(mount.relativize(containerPath).toString());
    }

    /** Copies a file or a directory tree (following links) to {@code target}. */
    static void copy(Path source, Path target) {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path to = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    Files.copy(file, to);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
        }
    }

    private static Path directory(Path scratch, String name) {
        try {
            return Files.createTempDirectory(scratch, name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isTextual()) {
            values.add(node.asText());
        }
        node.forEach(n -> values.add(n.asText()));
        return values;
    }

    /** A Compose volume entry, short ({@code source:target[:mode]}) or long syntax. */
    private record Mount(String source, String target, boolean bind) {
        static Mount of(JsonNode volume) {
            if (volume.isObject()) {
                String source = volume.path("source").asText();
                return new Mount(source, volume.path("target").asText(), "bind".equals(volume.path("type").asText()));
            }
            String[] parts = volume.asText().split(":");
            if (parts.length < 2) {
                return new Mount("", parts[0], false);
            }
            return new Mount(parts[0], parts[1], parts[0].startsWith(".") || parts[0].startsWith("/"));
        }
    }
}
