package io.hps.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hps.gateway.repository.ModelRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The gateway's model repository as its container sees it, loaded by the gateway's own loader: each entry's absolute
 * {@code model_json} is a path in the container, taken to where that file is on this machine first.
 */
final class MountedRepository {
    private static final ObjectMapper JSON = new ObjectMapper();

    private MountedRepository() {
    }

    static ModelRepository load(ContainerFiles files, Path repository) {
        Path dir = files.hostPath("model repository", repository);
        assertThat(dir).as("model repository " + repository).isDirectory();
        for (Path config : configs(dir)) {
            try {
                JsonNode entry = JSON.readTree(config.toFile());
                JsonNode modelJson = entry.path("model_json");
                if (entry instanceof ObjectNode object && modelJson.isTextual()
                        && Path.of(modelJson.asText()).isAbsolute()) {
                    Path local = files.hostPath(config.getParent().getFileName() + " model_json",
                            Path.of(modelJson.asText()));
                    assertThat(local).as(config.getParent().getFileName() + " model_json " + modelJson.asText())
                            .isRegularFile();
                    object.put("model_json", local.toString());
                    JSON.writeValue(config.toFile(), object);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot rewrite " + config, e);
            }
        }
        return ModelRepository.load(dir);
    }

    private static List<Path> configs(Path dir) {
        try (Stream<Path> folders = Files.list(dir)) {
            return folders.map(f -> f.resolve(ModelRepository.CONFIG_FILE)).filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
