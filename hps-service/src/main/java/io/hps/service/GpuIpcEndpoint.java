package io.hps.service;

import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuAvailability;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.table.SparseFileRows;
import io.hps.model.TableSpec;
import io.hps.model.config.ModelHpsConfig;
import io.hps.model.config.PsConfig;
import io.hps.model.sparse.SparseTable;
import io.hps.transport.gpu.EnsembleOptions;
import io.hps.transport.gpu.IpcLookupServer;
import io.hps.transport.gpu.IpcLookupSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Starts hps-service's same-host GPU lookup endpoint from {@code hps.gpu-ipc.*}: the chosen ps.json model's sparse
 * files ({@code sparse_files}, one directory per table) are read into a static table on the GPU and an
 * {@link IpcLookupServer} answers with CUDA IPC handles of its device buffers. Blocks while loading; call it at
 * start-up.
 */
final class GpuIpcEndpoint {

    private GpuIpcEndpoint() {
    }

    /**
     * @param probe   whether this JVM has a GPU ({@link GpuRuntime#availability()} in the service)
     * @param devices the owner of a device ordinal ({@link GpuRuntime#device(int)} in the service)
     * @throws IllegalStateException when there is no GPU, the model is not in ps.json, or its files are unreadable
     */
    static IpcLookupServer start(HpsServiceProperties.GpuIpc settings, PsConfig config, GpuAvailability probe,
                                 IntFunction<DeviceOwner> devices) {
        if (!probe.available()) {
            throw new IllegalStateException("hps.gpu-ipc.enabled=true but no GPU is usable, the GPU lookup endpoint "
                    + "cannot start (set hps.gpu-ipc.enabled=false on machines without one): reason="
                    + probe.reason());
        }
        if (settings.deviceIndex() >= probe.deviceCount()) {
            throw new IllegalStateException("hps.gpu-ipc.device-index out of range: deviceIndex="
                    + settings.deviceIndex() + " deviceCount=" + probe.deviceCount());
        }
        ModelHpsConfig model = model(settings, config);
        List<TableSpec> tables = tables(model);
        IpcLookupSettings server = new IpcLookupSettings(settings.host(), settings.port(),
                maxBatchSize(settings, model), settings.pool(), EnsembleOptions.DEFAULTS.eventLoopSpinMicros(), true,
                settings.shmSocket());
        try (SparseFileRows rows = SparseFileRows.open(model.sparseFiles(), tables)) {
            return IpcLookupServer.start(devices.apply(settings.deviceIndex()), IpcLookupServer.lookupShape(tables),
                    rows, server);
        }
    }

    /** {@code hps.gpu-ipc.model}, or the first model of ps.json. */
    static ModelHpsConfig model(HpsServiceProperties.GpuIpc settings, PsConfig config) {
        List<String> names = config.models().stream().map(ModelHpsConfig::model).toList();
        if (config.models().isEmpty()) {
            throw new IllegalStateException("hps.gpu-ipc needs a model in ps.json: models=" + names);
        }
        if (settings.model() == null || settings.model().isBlank()) {
            return config.models().getFirst();
        }
        return config.models().stream().filter(m -> m.model().equals(settings.model())).findFirst()
                .orElseThrow(() -> new IllegalStateException("hps.gpu-ipc.model is not in ps.json: model="
                        + settings.model() + " models=" + names));
    }

    /** {@code hps.gpu-ipc.max-batch-size}, or the model's {@code max_batch_size}. */
    static int maxBatchSize(HpsServiceProperties.GpuIpc settings, ModelHpsConfig model) {
        if (settings.maxBatchSize() != null) {
            return settings.maxBatchSize();
        }
        if (model.maxBatchSize() > Integer.MAX_VALUE) {
            throw new IllegalStateException("max_batch_size too large for the GPU lookup endpoint, set "
                    + "hps.gpu-ipc.max-batch-size: model=" + model.model() + " maxBatchSize=" + model.maxBatchSize());
        }
        return (int) model.maxBatchSize();
    }

    /** Name, row count (from the files) and dimension of each of the model's tables, in ps.json order. */
    static List<TableSpec> tables(ModelHpsConfig model) {
        List<TableSpec> tables = new ArrayList<>(model.tableCount());
        for (int t = 0; t < model.tableCount(); t++) {
            int dimension = model.embeddingVecsizePerTable().get(t);
            try (SparseTable sparse = SparseTable.open(model.sparseFiles().get(t), dimension)) {
                tables.add(new TableSpec(model.embeddingTableNames().get(t), sparse.rows(), dimension));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read sparse table for the GPU lookup endpoint: model="
                        + model.model() + " directory=" + model.sparseFiles().get(t) + " error=" + e.getMessage(), e);
            }
        }
        return tables;
    }
}
