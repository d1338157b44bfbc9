package io.hps.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.hps.model.config.ConfigIssue.Kind;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class PsConfigCodecTest {

    private static final Path DIR = Path.of("/models/dlrm");

    /** A one-table ps.json holding only HugeCTR's required model fields. */
    private static final String MINIMAL_MODEL = """
            {"model": "m", "sparse_files": ["sparse/t0"], "deployed_device_list": [0],
             "default_value_for_each_table": [0.5], "maxnum_catfeature_query_per_table_per_sample": [1],
             "embedding_vecsize_per_table": [16]}""";

    @Test
    void shouldReadHugeCtrStyleFileUnchanged() throws URISyntaxException {
        Path file = Path.of(getClass().getResource("hugectr-ps.json").toURI());

        PsConfigFile read = PsConfigCodec.read(file);
        PsConfig ps = read.config();

        assertThat(ps.supportLongLong()).isTrue();
        assertThat(ps.fuseEmbeddingTable()).isFalse();
        VolatileDbConfig v = ps.volatileDb();
        assertThat(v.type()).isEqualTo(VolatileDbConfig.Type.REDIS_CLUSTER);
        assertThat(v.address()).isEqualTo("127.0.0.1:7003,127.0.0.1:7004,127.0.0.1:7005");
        assertThat(v.numPartitions()).isEqualTo(8);
        assertThat(v.sharedMemorySizeBytes()).isEqualTo(17_179_869_184L);
        assertThat(v.overflowMargin()).isEqualTo(10_000_000L);
        assertThat(v.overflowPolicy()).isEqualTo(VolatileDbConfig.OverflowPolicy.EVICT_OLDEST);
        assertThat(v.overflowResolutionTarget()).isEqualTo(0.8);
        assertThat(v.cacheMissedEmbeddings()).isTrue();
        assertThat(v.updateFilters()).containsExactly("^hps_.+$");
        PersistentDbConfig p = ps.persistentDb();
        assertThat(p.type()).isEqualTo(PersistentDbConfig.Type.ROCKS_DB);
        assertThat(p.path()).isEqualTo("/var/lib/hps/rocksdb");
        assertThat(p.readOnly()).isTrue();
        assertThat(p.updateFilters()).containsExactly(".+");
        UpdateSourceConfig u = ps.updateSource();
        assertThat(u.type()).isEqualTo(UpdateSourceConfig.Type.KAFKA_MESSAGE_QUEUE);
        assertThat(u.brokers()).isEqualTo("10.0.0.5:9092;10.0.0.6:9092");
        assertThat(u.maxCommitInterval()).isEqualTo(32);
        assertThat(ps.modelNames()).containsExactly("dlrm", "wdl");

        ModelHpsConfig dlrm = ps.model("dlrm").orElseThrow();
        assertThat(dlrm.tableCount()).isEqualTo(26);
        assertThat(dlrm.sparseFiles().get(3)).isEqualTo(file.getParent().resolve("sparse/t3"));
        assertThat(dlrm.embeddingTableNames().get(25)).isEqualTo("t25");
        assertThat(dlrm.embeddingVecsizePerTable()).containsOnly(128);
        assertThat(dlrm.maxBatchSize()).isEqualTo(65_536);
        assertThat(dlrm.gpuCachePer()).isEqualTo(0.5);
        assertThat(dlrm.numOfWorkerBufferInPool()).isEqualTo(4);
        assertThat(dlrm.slotNum()).isEqualTo(26);
        assertThat(dlrm.maxnumDesFeaturePerSample()).isEqualTo(13);

        ModelHpsConfig wdl = ps.model("wdl").orElseThrow();
        assertThat(wdl.sparseFiles()).containsExactly(Path.of("/wdl_infer/model/wdl/1/wdl0_sparse_20000.model"),
                Path.of("/wdl_infer/model/wdl/1/wdl1_sparse_20000.model"));
        assertThat(wdl.deployedDeviceList()).containsExactly(0, 1);
        assertThat(wdl.embeddingVecsizePerTable()).containsExactly(1, 15);
        assertThat(wdl.maxnumCatfeatureQueryPerTablePerSample()).containsExactly(2, 26);
        assertThat(wdl.networkFile()).isEqualTo("/wdl_infer/model/wdl/1/wdl.json");
        assertThat(wdl.useContextStream()).isFalse();

        assertThat(read.issues()).extracting(ConfigIssue::path, ConfigIssue::kind)
                .containsExactly(tuple("update_source.type", Kind.UNSUPPORTED));
    }

    @Test
    void shouldRoundTripTheSampleThroughItsOwnWriter(@TempDir Path dir) throws Exception {
        PsConfig sample = PsConfigCodec.read(Path.of(getClass().getResource("hugectr-ps.json").toURI())).config();
        PsConfig moved = new PsConfig(sample.supportLongLong(), sample.fuseEmbeddingTable(), sample.volatileDb(),
                sample.persistentDb(), sample.updateSource(), List.of(relocate(sample.models().getFirst(), dir),
                sample.models().get(1)));
        Path file = dir.resolve("ps.json");

        PsConfigCodec.write(moved, file);
        PsConfigFile read = PsConfigCodec.read(file);

        assertThat(read.config()).isEqualTo(moved);
        assertThat(read.issues()).extracting(ConfigIssue::path).containsExactly("update_source.type");
        assertThat(Files.readString(file)).contains("\"sparse/t0\"", "\"/wdl_infer/model/wdl/1/wdl.json\"");
    }

    private static ModelHpsConfig relocate(ModelHpsConfig m, Path dir) {
        List<Path> sparse = m.sparseFiles().stream().map(p -> dir.resolve("sparse").resolve(p.getFileName())).toList();
        return new ModelHpsConfig(m.model(), m.maxBatchSize(), sparse, m.denseFile(), m.networkFile(), m.gpuCache(),
                m.gpuCachePer(), m.hitRateThreshold(), m.numOfWorkerBufferInPool(), m.numOfRefresherBufferInPool(),
                m.cacheRefreshPercentagePerIteration(), m.deployedDeviceList(), m.defaultValueForEachTable(),
                m.maxnumDesFeaturePerSample(), m.maxnumCatfeatureQueryPerTablePerSample(), m.embeddingVecsizePerTable(),
                m.embeddingTableNames(), m.refreshDelaySeconds(), m.refreshIntervalSeconds(), m.labelDim(), m.slotNum(),
                m.useStaticTable(), m.embeddingCacheType(), m.useContextStream(), m.fuseEmbeddingTable(),
                m.useHctrCacheImplementation(), m.threadPoolSize(), m.initEc(), m.enablePagelock(), m.fp8Quant());
    }

    @Test
    void shouldApplyHugeCtrDefaultsToMissingFields() {
        PsConfigFile read = PsConfigCodec.parse("{\"supportlonglong\": true, \"models\": [" + MINIMAL_MODEL + "]}", DIR);
        PsConfig ps = read.config();

        assertThat(ps.volatileDb()).isEqualTo(VolatileDbConfig.defaults());
        assertThat(ps.volatileDb().type()).isEqualTo(VolatileDbConfig.Type.PARALLEL_HASH_MAP);
        assertThat(ps.volatileDb().numPartitions())
                .isEqualTo(Math.min(16, Runtime.getRuntime().availableProcessors()));
        assertThat(ps.volatileDb().overflowBounded()).isFalse();
        assertThat(ps.volatileDb().overflowPolicy()).isEqualTo(VolatileDbConfig.OverflowPolicy.EVICT_RANDOM);
        assertThat(ps.persistentDb().type()).isEqualTo(PersistentDbConfig.Type.DISABLED);
        assertThat(ps.updateSource().type()).isEqualTo(UpdateSourceConfig.Type.NULL);
        ModelHpsConfig m = ps.models().getFirst();
        assertThat(m.maxBatchSize()).isEqualTo(64);
        assertThat(m.gpuCache()).isTrue();
        assertThat(m.gpuCachePer()).isEqualTo(0.2);
        assertThat(m.hitRateThreshold()).isEqualTo(0.9);
        assertThat(m.embeddingTableNames()).containsExactly("sparse_embedding0");
        assertThat(m.embeddingCacheType()).isEqualTo(ModelHpsConfig.EmbeddingCacheType.DYNAMIC);
        assertThat(m.maxnumDesFeaturePerSample()).isEqualTo(26);
        assertThat(m.labelDim()).isEqualTo(1);
        assertThat(m.slotNum()).isEqualTo(10);
        assertThat(m.threadPoolSize()).isEqualTo(16);
        assertThat(m.useStaticTable()).isFalse();
        assertThat(m.fuseEmbeddingTable()).isFalse();
        assertThat(m.defaultValueForEachTable()).containsExactly(0.5f);
        assertThat(m.sparseFiles()).containsExactly(DIR.resolve("sparse/t0"));
        assertThat(read.issues()).isEmpty();
    }

    @Test
    void shouldDisableVolatileTierWithoutTypeAsHugeCtrDoes() {
        PsConfigFile read = parse("\"volatile_db\": {\"num_partitions\": 4}", MINIMAL_MODEL);

        assertThat(read.config().volatileDb().type()).isEqualTo(VolatileDbConfig.Type.DISABLED);
        assertThat(read.config().volatileDb().numPartitions()).isEqualTo(4);
        assertThat(read.issues()).extracting(ConfigIssue::path, ConfigIssue::kind)
                .containsExactly(tuple("volatile_db.type", Kind.ADJUSTED));
    }

    @Test
    void shouldAcceptHugeCtrAliasesAndUnboundedMargin() {
        PsConfig ps = parse("""
                "volatile_db": {"type": "redis", "overflow_policy": "least_used", "overflow_margin": 18446744073709551615},
                "persistent_db": {"type": "rocksdb"}, "update_source": {"type": "none"}""", MINIMAL_MODEL).config();

        assertThat(ps.volatileDb().type()).isEqualTo(VolatileDbConfig.Type.REDIS_CLUSTER);
        assertThat(ps.volatileDb().overflowPolicy()).isEqualTo(VolatileDbConfig.OverflowPolicy.EVICT_LEAST_USED);
        assertThat(ps.volatileDb().overflowMargin()).isEqualTo(Long.MAX_VALUE);
        assertThat(ps.persistentDb().type()).isEqualTo(PersistentDbConfig.Type.ROCKS_DB);
        assertThat(ps.updateSource().type()).isEqualTo(UpdateSourceConfig.Type.NULL);
    }

    @Test
    void shouldAcceptCommentsAsInHugeCtrDocumentation() {
        PsConfig ps = parse("""
                "volatile_db": {
                  "type": "hash_map",
                  "allocation_rate": 268435456,  // 256 MiB
                  "num_partitions": 2
                }""", MINIMAL_MODEL).config();

        assertThat(ps.volatileDb().type()).isEqualTo(VolatileDbConfig.Type.HASH_MAP);
        assertThat(ps.volatileDb().allocationRateBytes()).isEqualTo(268_435_456L);
    }

    @Test
    void shouldReportUnknownFieldsByJsonPath() {
        PsConfigFile read = parse("\"extra\": 1, \"volatile_db\": {\"type\": \"hash_map\", \"partitions\": 3}",
                MINIMAL_MODEL.replace("\"model\": \"m\"", "\"model\": \"m\", \"gpu_cache_size\": 7"));

        assertThat(read.issues()).filteredOn(i -> i.kind() == Kind.UNKNOWN_FIELD).extracting(ConfigIssue::path)
                .containsExactlyInAnyOrder("extra", "volatile_db.partitions", "models[0].gpu_cache_size");
        assertThat(read.issues()).allSatisfy(i -> assertThat(i.source()).isEqualTo("ps.json"));
        assertThat(read.issues().getFirst().toString()).startsWith("ps.json: ");
    }

    @Test
    void shouldReportRecognisedButUnsupportedSettings() {
        PsConfigFile read = parse("""
                "supportlonglong": false, "fuse_embedding_table": true,
                "volatile_db": {"type": "multi_process_hash_map", "enable_tls": true},
                "update_source": {"type": "kafka"}""",
                MINIMAL_MODEL.replace("\"model\": \"m\"",
                        "\"model\": \"m\", \"fp8_quant\": true, \"embedding_cache_type\": \"uvm\""));

        assertThat(read.issues()).filteredOn(i -> i.kind() == Kind.UNSUPPORTED).extracting(ConfigIssue::path)
                .containsExactlyInAnyOrder("supportlonglong", "fuse_embedding_table", "volatile_db.type",
                        "volatile_db.enable_tls", "update_source.type", "models[0].fp8_quant",
                        "models[0].embedding_cache_type");
        assertThat(read.issues()).noneMatch(i -> i.kind() == Kind.UNKNOWN_FIELD);
        assertThat(read.config().models().getFirst().fuseEmbeddingTable()).isTrue();
    }

    @Test
    void shouldPadShortDefaultValuesWithZeroAndSayso() {
        PsConfigFile read = parse("", """
                {"model": "m", "sparse_files": ["a", "b", "c"], "deployed_device_list": [0],
                 "default_value_for_each_table": [0.5], "maxnum_catfeature_query_per_table_per_sample": [1, 1, 1],
                 "embedding_vecsize_per_table": [4, 4, 8]}""");

        assertThat(read.config().models().getFirst().defaultValueForEachTable()).containsExactly(0.5f, 0f, 0f);
        assertThat(read.issues()).extracting(ConfigIssue::path, ConfigIssue::kind).containsExactly(
                tuple("models[0].default_value_for_each_table", Kind.ADJUSTED));
    }

    @Test
    void shouldMakeStaticTableUseStaticCache() {
        ModelHpsConfig m = parse("", MINIMAL_MODEL.replace("\"model\": \"m\"", "\"model\": \"m\", \"use_static_table\": true"))
                .config().models().getFirst();

        assertThat(m.useStaticTable()).isTrue();
        assertThat(m.embeddingCacheType()).isEqualTo(ModelHpsConfig.EmbeddingCacheType.STATIC);
    }

    /** HugeCTR documents a threshold above 1 as "always insert misses synchronously"; it is accepted. */
    @Test
    void shouldAcceptHitRateThresholdAboveOneAsHugeCtrDocuments() {
        ModelHpsConfig m = parse("", MINIMAL_MODEL.replace("\"model\": \"m\"", "\"model\": \"m\", \"hit_rate_threshold\": 1.1"))
                .config().models().getFirst();

        assertThat(m.hitRateThreshold()).isEqualTo(1.1);
    }

    static Stream<Arguments> invalidModelFields() {
        return Stream.of(
                Arguments.of("gpucacheper", "1.5", "ps.json: models[0].gpucacheper must be in [0, 1]: gpucacheper=1.5"),
                Arguments.of("hit_rate_threshold", "-0.1",
                        "ps.json: models[0].hit_rate_threshold must be >= 0: hit_rate_threshold=-0.1"),
                Arguments.of("cache_refresh_percentage_per_iteration", "2",
                        "models[0].cache_refresh_percentage_per_iteration must be in [0, 1]"),
                Arguments.of("sparse_files", "[\"a\", \"b\"]", "ps.json: models[0].sparse_files must have one entry per"
                        + " table (embedding_vecsize_per_table has 1): length=2"),
                Arguments.of("maxnum_catfeature_query_per_table_per_sample", "[1, 1]",
                        "models[0].maxnum_catfeature_query_per_table_per_sample must have one entry per table"),
                Arguments.of("embedding_table_names", "[\"x\", \"y\"]",
                        "models[0].embedding_table_names must have one entry per table"),
                Arguments.of("default_value_for_each_table", "[0, 0]",
                        "models[0].default_value_for_each_table must have one entry per table"),
                Arguments.of("embedding_vecsize_per_table", "[0]",
                        "models[0].embedding_vecsize_per_table[0] must be >= 1: embedding_vecsize_per_table[0]=0"),
                Arguments.of("embedding_vecsize_per_table", "[1.5]",
                        "models[0].embedding_vecsize_per_table[0] must be an integer: embedding_vecsize_per_table=1.5"),
                Arguments.of("maxnum_catfeature_query_per_table_per_sample", "[0]",
                        "maxnum_catfeature_query_per_table_per_sample[0] must be >= 1"),
                Arguments.of("deployed_device_list", "[]", "models[0].deployed_device_list must not be empty"),
                Arguments.of("deployed_device_list", "[-1]", "models[0].deployed_device_list[0] must be >= 0"),
                Arguments.of("max_batch_size", "0", "models[0].max_batch_size must be >= 1: max_batch_size=0"),
                Arguments.of("num_of_worker_buffer_in_pool", "0", "models[0].num_of_worker_buffer_in_pool must be >= 1"),
                Arguments.of("num_of_refresher_buffer_in_pool", "0",
                        "models[0].num_of_refresher_buffer_in_pool must be >= 1"),
                Arguments.of("thread_pool_size", "0", "models[0].thread_pool_size must be >= 1"),
                Arguments.of("label_dim", "0", "models[0].label_dim must be >= 1"),
                Arguments.of("slot_num", "0", "models[0].slot_num must be >= 1"),
                Arguments.of("maxnum_des_feature_per_sample", "-1", "models[0].maxnum_des_feature_per_sample must be >= 0"),
                Arguments.of("refresh_interval", "-1", "models[0].refresh_interval must be >= 0: refresh_interval=-1.0"),
                Arguments.of("refresh_delay", "-2", "models[0].refresh_delay must be >= 0"),
                Arguments.of("model", "\"\"", "ps.json: models[0].model must not be blank: model="),
                Arguments.of("gpucache", "\"yes\"", "ps.json: models[0].gpucache must be a boolean: gpucache=\"yes\""),
                Arguments.of("embedding_cache_type", "\"lru\"", "ps.json: models[0].embedding_cache_type must be one of"
                        + " [dynamic, static, stochastic, uvm]: embedding_cache_type=lru"),
                Arguments.of("sparse_files", "[\"hdfs://namenode:9000/dlrm/t0\"]",
                        "models[0].sparse_files[0] remote file systems are not supported"),
                Arguments.of("sparse_files", "\"sparse/t0\"", "models[0].sparse_files must be an array"),
                Arguments.of("embedding_table_names", "[7]", "models[0].embedding_table_names[0] must be a string"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("invalidModelFields")
    void shouldRejectInvalidModelField(String field, String json, String message) {
        ObjectNode model = (ObjectNode) JsonFields.MAPPER.readTree(MINIMAL_MODEL);
        model.set(field, JsonFields.MAPPER.readTree(json));

        assertThatThrownBy(() -> parse("", model.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void shouldRequireHugeCtrRequiredModelFields() {
        for (String field : List.of("sparse_files", "deployed_device_list", "default_value_for_each_table",
                "maxnum_catfeature_query_per_table_per_sample", "embedding_vecsize_per_table")) {
            ObjectNode model = (ObjectNode) JsonFields.MAPPER.readTree(MINIMAL_MODEL);
            model.remove(field);

            assertThatThrownBy(() -> parse("", model.toString()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("ps.json: models[0]." + field + " is required")
                    .satisfies(e -> assertThat(((ConfigException) e).path()).isEqualTo("models[0]." + field));
        }
    }

    static Stream<Arguments> invalidTopLevel() {
        return Stream.of(
                Arguments.of("\"volatile_db\": {\"num_partitions\": 0}",
                        "ps.json: volatile_db.num_partitions must be >= 1: num_partitions=0"),
                Arguments.of("\"volatile_db\": {\"num_partitions\": -3}",
                        "ps.json: volatile_db.num_partitions must be >= 0: num_partitions=-3"),
                Arguments.of("\"volatile_db\": {\"overflow_resolution_target\": 1.0}",
                        "ps.json: volatile_db.overflow_resolution_target must be in (0, 1): overflow_resolution_target=1.0"),
                Arguments.of("\"volatile_db\": {\"initial_cache_rate\": 1.5}",
                        "volatile_db.initial_cache_rate must be in [0, 1]: initial_cache_rate=1.5"),
                Arguments.of("\"volatile_db\": {\"overflow_margin\": 0}", "volatile_db.overflow_margin must be >= 1"),
                Arguments.of("\"volatile_db\": {\"max_batch_size\": 0}", "volatile_db.max_batch_size must be >= 1"),
                Arguments.of("\"volatile_db\": {\"type\": \"redis_cluster\", \"address\": \"\"}",
                        "volatile_db.address must not be blank"),
                Arguments.of("\"volatile_db\": {\"overflow_policy\": \"lru\"}",
                        "volatile_db.overflow_policy must be one of [evict_least_used, evict_oldest, evict_random,"
                                + " least_used, oldest, random]: overflow_policy=lru"),
                Arguments.of("\"volatile_db\": {\"type\": \"memcached\"}",
                        "volatile_db.type must be one of [")
                        ,
                Arguments.of("\"volatile_db\": 5", "ps.json: volatile_db must be an object: volatile_db=5"),
                Arguments.of("\"persistent_db\": {\"type\": \"rocks_db\", \"num_threads\": 0}",
                        "persistent_db.num_threads must be >= 1"),
                Arguments.of("\"persistent_db\": {\"type\": \"leveldb\"}", "persistent_db.type must be one of ["),
                Arguments.of("\"persistent_db\": {\"type\": \"rocks_db\", \"path\": \" \"}",
                        "persistent_db.path must not be blank"),
                Arguments.of("\"update_source\": {\"max_batch_size\": 0}", "update_source.max_batch_size must be >= 1"),
                Arguments.of("\"update_source\": {\"type\": \"kafka\", \"brokers\": \"\"}",
                        "update_source.brokers must not be blank"),
                Arguments.of("\"supportlonglong\": \"true\"", "ps.json: supportlonglong must be a boolean"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidTopLevel")
    void shouldRejectInvalidTopLevelField(String top, String message) {
        assertThatThrownBy(() -> parse(top, MINIMAL_MODEL))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void shouldRejectBrokenFileStructure() {
        assertThatThrownBy(() -> PsConfigCodec.parse("{\"supportlonglong\": true}", DIR))
                .hasMessage("ps.json: models is required");
        assertThatThrownBy(() -> PsConfigCodec.parse("{\"models\": []}", DIR))
                .hasMessage("ps.json: models must not be empty: models=[]");
        assertThatThrownBy(() -> PsConfigCodec.parse("{\"models\": [5]}", DIR))
                .hasMessage("ps.json: models[0] must be an object: found=5");
        assertThatThrownBy(() -> PsConfigCodec.parse("[]", DIR))
                .hasMessage("ps.json must hold a JSON object: found=[]");
        assertThatThrownBy(() -> PsConfigCodec.parse("{\"models\": [", DIR))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("ps.json is not valid JSON: ");
        assertThatThrownBy(() -> PsConfigCodec.parse("{\"models\": [], \"models\": []}", DIR))
                .isInstanceOf(ConfigException.class).hasMessageContaining("Duplicate");
        assertThatThrownBy(() -> PsConfigCodec.parse("{\"models\": [" + MINIMAL_MODEL + ", " + MINIMAL_MODEL + "]}", DIR))
                .hasMessage("ps.json: models[1].model must be unique: model=m");
    }

    @Test
    void shouldNameTheFileInReadErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hps-custom.json");
        Files.writeString(file, "{\"models\": [" + MINIMAL_MODEL.replace("[16]", "[0]") + "]}");

        assertThatThrownBy(() -> PsConfigCodec.read(file))
                .hasMessageStartingWith("hps-custom.json: models[0].embedding_vecsize_per_table[0] must be >= 1");
        assertThatThrownBy(() -> PsConfigCodec.read(dir.resolve("missing.json")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("missing.json cannot be read: ");
    }

    private static PsConfigFile parse(String topLevelFields, String model) {
        String top = topLevelFields.isBlank() ? "" : topLevelFields + ", ";
        return PsConfigCodec.parse("{" + top + "\"models\": [" + model + "]}", DIR);
    }

}
