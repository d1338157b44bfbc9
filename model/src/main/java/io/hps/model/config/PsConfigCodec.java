package io.hps.model.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads HugeCTR's parameter server JSON ({@code ps.json}) unchanged, with HugeCTR 24.06's field
 * names, spellings and defaults. Differences from HugeCTR, all on the side of telling the user:
 * <ul>
 *   <li>an unrecognised enum spelling is an error naming the accepted ones (HugeCTR falls back to a default);</li>
 *   <li>list lengths must match the table count (HugeCTR pads or truncates); only a short
 *       {@code default_value_for_each_table} is padded with 0, as HugeCTR does, and reported;</li>
 *   <li>unknown fields are reported as {@link ConfigIssue.Kind#UNKNOWN_FIELD} by JSON path, and
 *       recognised settings that have no effect here (Kafka updates, table fusion, TLS, ...) as
 *       {@link ConfigIssue.Kind#UNSUPPORTED};</li>
 *   <li>{@code supportlonglong} defaults to true, as HugeCTR documents (its parser requires it);</li>
 *   <li>{@code //} comments are accepted, so the documented samples parse as printed.</li>
 * </ul>
 * Relative {@code sparse_files} are resolved against the directory of the file. Stateless and thread-safe.
 */
public final class PsConfigCodec {

    /** The conventional file name inside a model directory. */
    public static final String FILE_NAME = "ps.json";

    private static final Map<String, VolatileDbConfig.Type> VOLATILE_TYPES =
            JsonFields.names(VolatileDbConfig.Type.class, VolatileDbConfig.Type::spellings);
    private static final Map<String, VolatileDbConfig.OverflowPolicy> OVERFLOW_POLICIES =
            JsonFields.names(VolatileDbConfig.OverflowPolicy.class, VolatileDbConfig.OverflowPolicy::spellings);
    private static final Map<String, PersistentDbConfig.Type> PERSISTENT_TYPES =
            JsonFields.names(PersistentDbConfig.Type.class, PersistentDbConfig.Type::spellings);
    private static final Map<String, UpdateSourceConfig.Type> UPDATE_SOURCE_TYPES =
            JsonFields.names(UpdateSourceConfig.Type.class, UpdateSourceConfig.Type::spellings);
    private static final Map<String, ModelHpsConfig.EmbeddingCacheType> CACHE_TYPES =
            JsonFields.names(ModelHpsConfig.EmbeddingCacheType.class, t -> List.of(t.jsonName()));

    private PsConfigCodec() {
    }

    /** Reads {@code file}; relative sparse files are resolved against its directory. */
    public static PsConfigFile read(Path file) {
        String source = file.getFileName().toString();
        return decode(JsonFields.parse(file, source), source, file.toAbsolutePath().getParent());
    }

    /** Parses JSON text as the ps.json of {@code directory}. */
    public static PsConfigFile parse(String json, Path directory) {
        return decode(JsonFields.parse(json, FILE_NAME), FILE_NAME, directory);
    }

    /**
     * The JSON text of {@code config} as HugeCTR reads it, every field written out. Sparse files
     * under {@code directory} are written relative to it, others absolute.
     */
    public static String toJson(PsConfig config, Path directory) {
        return JsonFields.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(encode(config, directory));
    }

    /** Writes {@code config} to {@code file}, replacing it; sparse files are written relative to its directory. */
    public static void write(PsConfig config, Path file) {
        try {
            Files.writeString(file, toJson(config, file.toAbsolutePath().getParent()) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ps config: file=" + file, e);
        }
    }

    private static PsConfigFile decode(JsonNode node, String source, Path directory) {
        List<ConfigIssue> issues = new ArrayList<>();
        try {
            PsConfig config = decodeRoot(JsonFields.root(node, source, issues), directory);
            return new PsConfigFile(directory, config, issues);
        } catch (ConfigException e) {
            throw e.in(source);
        }
    }

    private static PsConfig decodeRoot(JsonFields json, Path directory) {
        boolean supportLongLong = json.bool("supportlonglong", true);
        if (!supportLongLong) {
            json.unsupported("supportlonglong", "32-bit keys are not supported; keys are read as int64");
        }
        boolean fuse = json.bool("fuse_embedding_table", false);
        if (fuse) {
            json.unsupported("fuse_embedding_table", "tables are not fused; each table is served on its own");
        }
        VolatileDbConfig volatileDb = json.object("volatile_db").map(PsConfigCodec::decodeVolatile)
                .orElseGet(VolatileDbConfig::defaults);
        PersistentDbConfig persistentDb = json.object("persistent_db").map(PsConfigCodec::decodePersistent)
                .orElseGet(PersistentDbConfig::defaults);
        UpdateSourceConfig updateSource = json.object("update_source").map(PsConfigCodec::decodeUpdateSource)
                .orElseGet(UpdateSourceConfig::defaults);
        List<ModelHpsConfig> models = json.objects("models").stream()
                .map(m -> decodeModel(m, directory, fuse)).toList();
        json.finish();
        return json.build(() -> new PsConfig(supportLongLong, fuse, volatileDb, persistentDb, updateSource, models));
    }

    private static VolatileDbConfig decodeVolatile(JsonFields json) {
        VolatileDbConfig d = VolatileDbConfig.defaults();
        if (!json.has("type")) {
            json.adjusted("type", "no type given: the volatile tier is disabled, as in HugeCTR");
        }
        VolatileDbConfig.Type type = json.choice("type", VolatileDbConfig.Type.DISABLED, VOLATILE_TYPES);
        if (type == VolatileDbConfig.Type.MULTI_PROCESS_HASH_MAP) {
            json.unsupported("type", "multi_process_hash_map (shared memory) is not supported, ignored");
        }
        boolean tls = json.bool("enable_tls", d.enableTls());
        if (tls) {
            json.unsupported("enable_tls", "TLS connections to Redis are not supported");
        }
        return finish(json, () -> new VolatileDbConfig(type, json.string("address", d.address()),
                json.string("user_name", d.userName()), json.string("password", d.password()),
                json.size("num_partitions", d.numPartitions()), json.size("allocation_rate", d.allocationRateBytes()),
                json.size("shared_memory_size", d.sharedMemorySizeBytes()),
                json.string("shared_memory_name", d.sharedMemoryName()),
                json.bool("shared_memory_auto_remove", d.sharedMemoryAutoRemove()),
                json.size("num_node_connections", d.numNodeConnections()),
                json.size("max_batch_size", d.maxBatchSize()), tls,
                json.string("tls_ca_certificate", d.tlsCaCertificate()),
                json.string("tls_client_certificate", d.tlsClientCertificate()),
                json.string("tls_client_key", d.tlsClientKey()),
                json.string("tls_server_name_identification", d.tlsServerNameIdentification()),
                json.size("overflow_margin", d.overflowMargin()),
                json.choice("overflow_policy", d.overflowPolicy(), OVERFLOW_POLICIES),
                json.number("overflow_resolution_target", d.overflowResolutionTarget()),
                json.bool("initialize_after_startup", d.initializeAfterStartup()),
                json.number("initial_cache_rate", d.initialCacheRate()),
                json.bool("cache_missed_embeddings", d.cacheMissedEmbeddings()),
                json.strings("update_filters", d.updateFilters())));
    }

    private static PersistentDbConfig decodePersistent(JsonFields json) {
        PersistentDbConfig d = PersistentDbConfig.defaults();
        PersistentDbConfig.Type type = json.choice("type", d.type(), PERSISTENT_TYPES);
        String path = json.string("path", d.path());
        int threads = json.integer("num_threads", d.numThreads());
        boolean readOnly = json.bool("read_only", d.readOnly());
        long maxBatch = json.size("max_batch_size", d.maxBatchSize());
        boolean init = json.bool("initialize_after_startup", d.initializeAfterStartup());
        List<String> filters = json.strings("update_filters", d.updateFilters());
        return finish(json, () -> new PersistentDbConfig(type, path, threads, readOnly, maxBatch, init, filters));
    }

    private static UpdateSourceConfig decodeUpdateSource(JsonFields json) {
        UpdateSourceConfig d = UpdateSourceConfig.defaults();
        UpdateSourceConfig.Type type = json.choice("type", d.type(), UPDATE_SOURCE_TYPES);
        if (type == UpdateSourceConfig.Type.KAFKA_MESSAGE_QUEUE) {
            json.unsupported("type", "Kafka updates are not consumed; update embeddings through the service");
        }
        return finish(json, () -> new UpdateSourceConfig(type, json.string("brokers", d.brokers()),
                json.size("metadata_refresh_interval_ms", d.metadataRefreshIntervalMillis()),
                json.size("receive_buffer_size", d.receiveBufferSizeBytes()),
                json.size("poll_timeout_ms", d.pollTimeoutMillis()), json.size("max_batch_size", d.maxBatchSize()),
                json.size("failure_backoff_ms", d.failureBackoffMillis()),
                json.size("max_commit_interval", d.maxCommitInterval())));
    }

    /** Reads (inside {@code constructor}) and builds, then reports the fields left unread. */
    private static <T> T finish(JsonFields json, Supplier<T> constructor) {
        T value = json.build(constructor);
        json.finish();
        return value;
    }

    private static ModelHpsConfig decodeModel(JsonFields json, Path directory, boolean fuseTop) {
        return new ModelEntryReader(json, directory, fuseTop).read();
    }

    /** Reads one {@code models[i]} object; one instance per entry. */
    private record ModelEntryReader(JsonFields json, Path directory, boolean fuseTop) {

        ModelHpsConfig read() {
            String model = json.string("model", "");
            long maxBatch = json.size("max_batch_size", 64);
            List<Path> sparse = sparseFiles();
            String dense = json.string("dense_file", "");
            String network = json.string("network_file", "");
            boolean gpuCache = json.bool("gpucache", true);
            double gpuCachePer = json.number("gpucacheper", 0.2);
            double hitRate = json.number("hit_rate_threshold", 0.9);
            int workers = json.integer("num_of_worker_buffer_in_pool", 1);
            int refreshers = json.integer("num_of_refresher_buffer_in_pool", 1);
            double refreshPercent = json.number("cache_refresh_percentage_per_iteration", 0.0);
            List<Integer> devices = json.requiredIntegers("deployed_device_list");
            List<Integer> maxQueries = json.requiredIntegers("maxnum_catfeature_query_per_table_per_sample");
            List<Integer> dims = json.requiredIntegers("embedding_vecsize_per_table");
            List<Float> defaults = defaultValues(dims.size());
            int maxDense = json.integer("maxnum_des_feature_per_sample", 26);
            double refreshDelay = json.number("refresh_delay", 0.0);
            double refreshInterval = json.number("refresh_interval", 0.0);
            List<String> names = json.strings("embedding_table_names", defaultNames(sparse.size()));
            int labelDim = json.integer("label_dim", 1);
            int slotNum = json.integer("slot_num", 10);
            boolean staticTable = json.bool("use_static_table", false);
            ModelHpsConfig.EmbeddingCacheType cacheType = cacheType(staticTable);
            boolean contextStream = json.bool("use_context_stream", true);
            boolean fuseRequested = json.bool("fuse_embedding_table", true);
            boolean fuse = fuseTop && fuseRequested;
            boolean hctrCache = json.bool("use_hctr_cache_implementation", true);
            int threads = json.integer("thread_pool_size", 16);
            boolean initEc = json.bool("init_ec", true);
            boolean pagelock = json.bool("enable_pagelock", false);
            boolean fp8 = json.bool("fp8_quant", false);
            if (fp8) {
                json.unsupported("fp8_quant", "fp8 quantisation is not supported; vectors are served as stored");
            }
            return finish(json, () -> new ModelHpsConfig(model, maxBatch, sparse, dense, network, gpuCache,
                    gpuCachePer, hitRate, workers, refreshers, refreshPercent, devices, defaults, maxDense, maxQueries,
                    dims, names, refreshDelay, refreshInterval, labelDim, slotNum, staticTable, cacheType,
                    contextStream, fuse, hctrCache, threads, initEc, pagelock, fp8));
        }

        private List<Path> sparseFiles() {
            List<String> written = json.requiredStrings("sparse_files");
            List<Path> out = new ArrayList<>(written.size());
            for (int i = 0; i < written.size(); i++) {
                String file = written.get(i);
                if (file.contains("://")) {
                    throw ConfigException.at(JsonFields.join(json.path(), "sparse_files[" + i + "]"),
                            "remote file systems are not supported: sparse_files=" + file);
                }
                out.add(directory.resolve(file).normalize());
            }
            return out;
        }

        private List<Float> defaultValues(int tables) {
            List<Double> written = json.requiredNumbers("default_value_for_each_table");
            List<Float> out = new ArrayList<>(Math.max(tables, written.size()));
            written.forEach(v -> out.add(v.floatValue()));
            if (written.size() < tables) {
                json.adjusted("default_value_for_each_table", "padded with 0.0 to one value per table: length="
                        + written.size() + " tables=" + tables);
                while (out.size() < tables) {
                    out.add(0.0f);
                }
            }
            return out;
        }

        private ModelHpsConfig.EmbeddingCacheType cacheType(boolean staticTable) {
            ModelHpsConfig.EmbeddingCacheType type = json.choice("embedding_cache_type",
                    ModelHpsConfig.EmbeddingCacheType.DYNAMIC, CACHE_TYPES);
            if (type == ModelHpsConfig.EmbeddingCacheType.UVM || type == ModelHpsConfig.EmbeddingCacheType.STOCHASTIC) {
                json.unsupported("embedding_cache_type", type.jsonName() + " embedding cache is not supported");
            }
            return staticTable ? ModelHpsConfig.EmbeddingCacheType.STATIC : type;
        }

        private static List<String> defaultNames(int tables) {
            List<String> names = new ArrayList<>(tables);
            for (int i = 0; i < tables; i++) {
                names.add("sparse_embedding" + i);
            }
            return names;
        }
    }

    private static ObjectNode encode(PsConfig c, Path directory) {
        ObjectNode root = JsonFields.MAPPER.createObjectNode();
        root.put("supportlonglong", c.supportLongLong());
        root.put("fuse_embedding_table", c.fuseEmbeddingTable());
        encodeVolatile(c.volatileDb(), root.putObject("volatile_db"));
        encodePersistent(c.persistentDb(), root.putObject("persistent_db"));
        encodeUpdateSource(c.updateSource(), root.putObject("update_source"));
        ArrayNode models = root.putArray("models");
        c.models().forEach(m -> encodeModel(m, models.addObject(), directory.toAbsolutePath().normalize()));
        return root;
    }

    private static void encodeVolatile(VolatileDbConfig v, ObjectNode o) {
        o.put("type", v.type().jsonName()).put("address", v.address()).put("user_name", v.userName())
                .put("password", v.password()).put("num_partitions", v.numPartitions())
                .put("allocation_rate", v.allocationRateBytes()).put("shared_memory_size", v.sharedMemorySizeBytes())
                .put("shared_memory_name", v.sharedMemoryName())
                .put("shared_memory_auto_remove", v.sharedMemoryAutoRemove())
                .put("num_node_connections", v.numNodeConnections()).put("max_batch_size", v.maxBatchSize())
                .put("enable_tls", v.enableTls()).put("tls_ca_certificate", v.tlsCaCertificate())
                .put("tls_client_certificate", v.tlsClientCertificate()).put("tls_client_key", v.tlsClientKey())
                .put("tls_server_name_identification", v.tlsServerNameIdentification())
                .put("overflow_margin", v.overflowMargin()).put("overflow_policy", v.overflowPolicy().jsonName())
                .put("overflow_resolution_target", v.overflowResolutionTarget())
                .put("initialize_after_startup", v.initializeAfterStartup())
                .put("initial_cache_rate", v.initialCacheRate())
                .put("cache_missed_embeddings", v.cacheMissedEmbeddings());
        v.updateFilters().forEach(o.putArray("update_filters")::add);
    }

    private static void encodePersistent(PersistentDbConfig p, ObjectNode o) {
        o.put("type", p.type().jsonName()).put("path", p.path()).put("num_threads", p.numThreads())
                .put("read_only", p.readOnly()).put("max_batch_size", p.maxBatchSize())
                .put("initialize_after_startup", p.initializeAfterStartup());
        p.updateFilters().forEach(o.putArray("update_filters")::add);
    }

    private static void encodeUpdateSource(UpdateSourceConfig u, ObjectNode o) {
        o.put("type", u.type().jsonName()).put("brokers", u.brokers())
                .put("metadata_refresh_interval_ms", u.metadataRefreshIntervalMillis())
                .put("receive_buffer_size", u.receiveBufferSizeBytes()).put("poll_timeout_ms", u.pollTimeoutMillis())
                .put("max_batch_size", u.maxBatchSize()).put("failure_backoff_ms", u.failureBackoffMillis())
                .put("max_commit_interval", u.maxCommitInterval());
    }

    private static void encodeModel(ModelHpsConfig m, ObjectNode o, Path directory) {
        o.put("model", m.model());
        ArrayNode sparse = o.putArray("sparse_files");
        m.sparseFiles().forEach(f -> sparse.add(f.startsWith(directory) ? directory.relativize(f).toString()
                : f.toString()));
        o.put("dense_file", m.denseFile()).put("network_file", m.networkFile())
                .put("num_of_worker_buffer_in_pool", m.numOfWorkerBufferInPool())
                .put("num_of_refresher_buffer_in_pool", m.numOfRefresherBufferInPool());
        m.deployedDeviceList().forEach(o.putArray("deployed_device_list")::add);
        o.put("max_batch_size", m.maxBatchSize());
        m.defaultValueForEachTable().forEach(o.putArray("default_value_for_each_table")::add);
        o.put("maxnum_des_feature_per_sample", m.maxnumDesFeaturePerSample());
        m.maxnumCatfeatureQueryPerTablePerSample().forEach(
                o.putArray("maxnum_catfeature_query_per_table_per_sample")::add);
        m.embeddingVecsizePerTable().forEach(o.putArray("embedding_vecsize_per_table")::add);
        m.embeddingTableNames().forEach(o.putArray("embedding_table_names")::add);
        o.put("refresh_delay", m.refreshDelaySeconds()).put("refresh_interval", m.refreshIntervalSeconds())
                .put("hit_rate_threshold", m.hitRateThreshold()).put("gpucacheper", m.gpuCachePer())
                .put("gpucache", m.gpuCache())
                .put("cache_refresh_percentage_per_iteration", m.cacheRefreshPercentagePerIteration())
                .put("label_dim", m.labelDim()).put("slot_num", m.slotNum())
                .put("use_static_table", m.useStaticTable())
                .put("embedding_cache_type", m.embeddingCacheType().jsonName())
                .put("use_context_stream", m.useContextStream()).put("fuse_embedding_table", m.fuseEmbeddingTable())
                .put("use_hctr_cache_implementation", m.useHctrCacheImplementation())
                .put("thread_pool_size", m.threadPoolSize()).put("init_ec", m.initEc())
                .put("enable_pagelock", m.enablePagelock()).put("fp8_quant", m.fp8Quant());
    }
}
