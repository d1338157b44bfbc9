package io.hps.gateway.repository;

import io.hps.model.config.ConfigException;
import io.hps.model.config.ModelConfig;
import io.hps.model.config.ModelConfigCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models a gateway serves, read once at start-up from a repository directory: every
 * sub-folder holding a {@value #CONFIG_FILE} is one model (format in the package Javadoc of
 * {@code io.hps.gateway}). Immutable and thread-safe after {@link #load}.
 */
public final class ModelRepository {
    public static final String CONFIG_FILE = "config.json";

    private final Map<String, ServedModel> models;

    private ModelRepository(Map<String, ServedModel> models) {
        this.models = models;
    }

    /**
     * Reads every model folder of {@code directory}.
     *
     * @throws RepositoryException when the directory, a config.json or a model.json is missing or invalid
     */
    public static ModelRepository load(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new RepositoryException("model repository is not a directory: path=" + directory);
        }
        Map<String, ServedModel> models = new LinkedHashMap<>();
        for (Path folder : modelFolders(directory)) {
            ServedModel model = read(folder);
            models.put(model.name(), model);
        }
        return new ModelRepository(Map.copyOf(models));
    }

    /** Models built by code, for embedding the gateway. */
    public static ModelRepository of(List<ServedModel> models) {
        Map<String, ServedModel> byName = new LinkedHashMap<>();
        for (ServedModel model : models) {
            if (byName.put(model.name(), model) != null) {
                throw new RepositoryException("model name repeated: name=" + model.name());
            }
        }
        return new ModelRepository(Map.copyOf(byName));
    }

    public Optional<ServedModel> model(String name) {
        return Optional.ofNullable(models.get(name));
    }

    public Collection<ServedModel> models() {
        return models.values();
    }

    private static List<Path> modelFolders(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(p -> Files.isRegularFile(p.resolve(CONFIG_FILE))).sorted().toList();
        } catch (IOException e) {
            throw new RepositoryException("cannot list model repository: path=" + directory + " error=" + e, e);
        }
    }

    private static ServedModel read(Path folder) {
        Path file = folder.resolve(CONFIG_FILE);
        try {
            ModelEntryConfig entry = ModelEntryConfig.parse(Files.readString(file), folder);
            ModelConfig shapes = ModelConfigCodec.read(entry.modelJson()).config();
            return entry.toModel(shapes);
        } catch (IOException e) {
            throw new RepositoryException("cannot read " + file + ": error=" + e, e);
        } catch (RepositoryException | ConfigException e) {
            throw new RepositoryException("invalid model " + file + ": " + e.getMessage(), e);
        }
    }
}
