package io.hps.model.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One entry of ps.json's {@code models} array: how the parameter server serves one model's
 * embedding tables. Per-table lists are in table order and all have {@link #tableCount()} entries
 * (the length of {@code embedding_vecsize_per_table}, as in HugeCTR). Defaults are HugeCTR 24.06's.
 *
 * @param model                                    {@code model}: model name
 * @param maxBatchSize                             {@code max_batch_size}: samples per lookup (default 64)
 * @param sparseFiles                              {@code sparse_files}: table directories, resolved against ps.json's directory
 * @param denseFile                                {@code dense_file} as written (HugeCTR dense model; not read here)
 * @param networkFile                              {@code network_file} as written (HugeCTR network JSON; not read here)
 * @param gpuCache                                 {@code gpucache}: put a device cache in front of the tiers (default true)
 * @param gpuCachePer                              {@code gpucacheper}: cache capacity as a fraction of each table's rows, in [0, 1] (0.2)
 * @param hitRateThreshold                         {@code hit_rate_threshold}: at or above it misses are inserted
 *                                                 asynchronously (0.9); above 1 means always synchronously
 * @param numOfWorkerBufferInPool                  {@code num_of_worker_buffer_in_pool} (1)
 * @param numOfRefresherBufferInPool               {@code num_of_refresher_buffer_in_pool} (1)
 * @param cacheRefreshPercentagePerIteration       {@code cache_refresh_percentage_per_iteration}, in [0, 1] (0)
 * @param deployedDeviceList                       {@code deployed_device_list}: device ordinals, not empty
 * @param defaultValueForEachTable                 {@code default_value_for_each_table}: every element of a
 *                                                 missing key's vector
 * @param maxnumDesFeaturePerSample                {@code maxnum_des_feature_per_sample} (26)
 * @param maxnumCatfeatureQueryPerTablePerSample   {@code maxnum_catfeature_query_per_table_per_sample}
 * @param embeddingVecsizePerTable                 {@code embedding_vecsize_per_table}
 * @param embeddingTableNames                      {@code embedding_table_names} (default {@code sparse_embedding<i>})
 * @param refreshDelaySeconds                      {@code refresh_delay}: seconds before the first cache refresh (0)
 * @param refreshIntervalSeconds                   {@code refresh_interval}: seconds between cache refreshes, 0 for never (0)
 * @param labelDim                                 {@code label_dim}: outputs per sample (1)
 * @param slotNum                                  {@code slot_num}: feature fields (10)
 * @param useStaticTable                           {@code use_static_table}: whole tables in device memory (false)
 * @param embeddingCacheType                       {@code embedding_cache_type} (dynamic; static when {@code use_static_table})
 * @param useContextStream                         {@code use_context_stream} (true)
 * @param fuseEmbeddingTable                       {@code fuse_embedding_table}: effective only when the top-level flag is set
 * @param useHctrCacheImplementation               {@code use_hctr_cache_implementation} (true)
 * @param threadPoolSize                           {@code thread_pool_size}: threads for asynchronous insertion (16)
 * @param initEc                                   {@code init_ec}: fill the cache at start-up (true)
 * @param enablePagelock                           {@code enable_pagelock} (false)
 * @param fp8Quant                                 {@code fp8_quant} (false)
 */
public record ModelHpsConfig(String model, long maxBatchSize, List<Path> sparseFiles, String denseFile,
        String networkFile, boolean gpuCache, double gpuCachePer, double hitRateThreshold, int numOfWorkerBufferInPool,
        int numOfRefresherBufferInPool, double cacheRefreshPercentagePerIteration, List<Integer> deployedDeviceList,
        List<Float> defaultValueForEachTable, int maxnumDesFeaturePerSample,
        List<Integer> maxnumCatfeatureQueryPerTablePerSample, List<Integer> embeddingVecsizePerTable,
        List<String> embeddingTableNames, double refreshDelaySeconds, double refreshIntervalSeconds, int labelDim,
        int slotNum, boolean useStaticTable, EmbeddingCacheType embeddingCacheType, boolean useContextStream,
        boolean fuseEmbeddingTable, boolean useHctrCacheImplementation, int threadPoolSize, boolean initEc,
        boolean enablePagelock, boolean fp8Quant) {

    /** HugeCTR's embedding cache kinds. */
    public enum EmbeddingCacheType {
        DYNAMIC, STATIC, UVM, STOCHASTIC;

        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ModelHpsConfig {
        sparseFiles = List.copyOf(sparseFiles);
        deployedDeviceList = List.copyOf(deployedDeviceList);
        defaultValueForEachTable = List.copyOf(defaultValueForEachTable);
        maxnumCatfeatureQueryPerTablePerSample = List.copyOf(maxnumCatfeatureQueryPerTablePerSample);
        embeddingVecsizePerTable = List.copyOf(embeddingVecsizePerTable);
        embeddingTableNames = List.copyOf(embeddingTableNames);
        Checks.notBlank("model", model);
        Checks.atLeast(1, "max_batch_size", maxBatchSize);
        checkTables(sparseFiles.size(), defaultValueForEachTable.size(), maxnumCatfeatureQueryPerTablePerSample,
                embeddingVecsizePerTable, embeddingTableNames);
        checkCache(gpuCachePer, hitRateThreshold, cacheRefreshPercentagePerIteration, refreshDelaySeconds,
                refreshIntervalSeconds);
        checkDevices(deployedDeviceList);
        Checks.atLeast(1, "num_of_worker_buffer_in_pool", numOfWorkerBufferInPool);
        Checks.atLeast(1, "num_of_refresher_buffer_in_pool", numOfRefresherBufferInPool);
        Checks.atLeast(0, "maxnum_des_feature_per_sample", maxnumDesFeaturePerSample);
        Checks.atLeast(1, "label_dim", labelDim);
        Checks.atLeast(1, "slot_num", slotNum);
        Checks.atLeast(1, "thread_pool_size", threadPoolSize);
        Checks.require(!useStaticTable || embeddingCacheType == EmbeddingCacheType.STATIC, "embedding_cache_type",
                "must be static when use_static_table is true", embeddingCacheType.jsonName());
    }

    /**
     * The entry that serves {@code model} as a DLRM does: one key per table per sample, default
     * vectors of zeros, device 0, batches up to model.json's {@code max_batch_size}, HugeCTR's
     * defaults for everything else.
     */
    public static ModelHpsConfig forModel(ModelConfigFile model) {
        ModelConfig c = model.config();
        int tables = c.tables().size();
        return new ModelHpsConfig(c.name(), c.maxBatchSize(), model.sparseFiles(), "", "", true, 0.2, 0.9, 1, 1, 0.0,
                List.of(0), Collections.nCopies(tables, 0.0f), c.denseFeatures(),
                Collections.nCopies(tables, 1), c.tables().stream().map(ModelConfig.Table::dim).toList(),
                c.tables().stream().map(ModelConfig.Table::name).toList(), 0.0, 0.0, 1, tables, false,
                EmbeddingCacheType.DYNAMIC, true, false, true, 16, true, false, false);
    }

    /** Number of embedding tables. */
    public int tableCount() {
        return embeddingVecsizePerTable.size();
    }

    private static void checkTables(int sparseFiles, int defaults, List<Integer> maxQueries, List<Integer> dims,
            List<String> names) {
        int tables = dims.size();
        Checks.require(tables >= 1, "embedding_vecsize_per_table", "must not be empty", dims);
        sameLength("sparse_files", sparseFiles, tables);
        sameLength("default_value_for_each_table", defaults, tables);
        sameLength("maxnum_catfeature_query_per_table_per_sample", maxQueries.size(), tables);
        sameLength("embedding_table_names", names.size(), tables);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tables; i++) {
            Checks.atLeast(1, "embedding_vecsize_per_table[" + i + "]", dims.get(i));
            Checks.atLeast(1, "maxnum_catfeature_query_per_table_per_sample[" + i + "]", maxQueries.get(i));
            Checks.notBlank("embedding_table_names[" + i + "]", names.get(i));
            Checks.require(seen.add(names.get(i)), "embedding_table_names[" + i + "]", "must be unique", names.get(i));
        }
    }

    private static void sameLength(String field, int length, int tables) {
        if (length != tables) {
            throw new ConfigException(field, "must have one entry per table (embedding_vecsize_per_table has "
                    + tables + "): length=" + length);
        }
    }

    private static void checkCache(double gpuCachePer, double hitRateThreshold, double refreshPercentage,
            double refreshDelay, double refreshInterval) {
        Checks.fraction("gpucacheper", gpuCachePer);
        Checks.require(hitRateThreshold >= 0, "hit_rate_threshold", "must be >= 0", hitRateThreshold);
        Checks.fraction("cache_refresh_percentage_per_iteration", refreshPercentage);
        Checks.require(refreshDelay >= 0, "refresh_delay", "must be >= 0", refreshDelay);
        Checks.require(refreshInterval >= 0, "refresh_interval", "must be >= 0", refreshInterval);
    }

    private static void checkDevices(List<Integer> devices) {
        Checks.require(!devices.isEmpty(), "deployed_device_list", "must not be empty", devices);
        for (int i = 0; i < devices.size(); i++) {
            Checks.atLeast(0, "deployed_device_list[" + i + "]", devices.get(i));
        }
    }
}
