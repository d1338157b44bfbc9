package io.hps.model.config;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A HugeCTR parameter server configuration ({@code ps.json}): the storage tiers shared by all
 * models and one {@link ModelHpsConfig} per model. Read it with {@link PsConfigCodec}.
 *
 * @param supportLongLong    {@code supportlonglong}: 64-bit keys (default true)
 * @param fuseEmbeddingTable {@code fuse_embedding_table}: fuse tables of equal dimension (default false)
 * @param volatileDb         {@code volatile_db}
 * @param persistentDb       {@code persistent_db}
 * @param updateSource       {@code update_source}
 * @param models             {@code models}, not empty, unique names
 */
public record PsConfig(boolean supportLongLong, boolean fuseEmbeddingTable, VolatileDbConfig volatileDb,
        PersistentDbConfig persistentDb, UpdateSourceConfig updateSource, List<ModelHpsConfig> models) {

    public PsConfig {
        models = List.copyOf(models);
        Checks.require(!models.isEmpty(), "models", "must not be empty", models);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < models.size(); i++) {
            String name = models.get(i).model();
            if (!names.add(name)) {
                throw new ConfigException("models[" + i + "].model", "must be unique: model=" + name);
            }
        }
    }

    /** 64-bit keys and HugeCTR's default tiers (in-process hash map, no persistent tier, no update source). */
    public static PsConfig of(List<ModelHpsConfig> models) {
        return new PsConfig(true, false, VolatileDbConfig.defaults(), PersistentDbConfig.defaults(),
                UpdateSourceConfig.defaults(), models);
    }

    /** The entry for {@code name}, if any. */
    public Optional<ModelHpsConfig> model(String name) {
        return models.stream().filter(m -> m.model().equals(name)).findFirst();
    }

    /** Names of all models, in file order. */
    public List<String> modelNames() {
        return models.stream().map(ModelHpsConfig::model).toList();
    }
}
