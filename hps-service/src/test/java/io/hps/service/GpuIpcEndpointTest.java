package io.hps.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.gpu.GpuAvailability;
import io.hps.model.TableSpec;
import io.hps.model.config.PsConfig;
import io.hps.store.TestModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the GPU lookup endpoint is started with, and the clear refusals before any device is touched. */
class GpuIpcEndpointTest {

    @TempDir
    static Path root;
    static TestModel model;
    static PsConfig ps;

    @BeforeAll
    static void generate() {
        model = TestModel.generate(root);
        ps = model.psConfig("{\"type\": \"hash_map\"}", "{\"type\": \"disabled\"}", "").config();
    }

    private static HpsServiceProperties.GpuIpc settings(Integer maxBatchSize, String modelName) {
        return new HpsServiceProperties.GpuIpc(true, "127.0.0.1", 0, 0, maxBatchSize, 2, modelName, null);
    }

    @Test
    void shouldRefuseToStartWithoutGpuNamingTheSettingAndTheReason() {
        assertThatThrownBy(() -> GpuIpcEndpoint.start(settings(null, null), ps,
                GpuAvailability.unavailable("no CUDA driver"), ordinal -> {
                    throw new AssertionError("no device may be opened without a GPU");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hps.gpu-ipc.enabled=true but no GPU is usable")
                .hasMessageContaining("reason=no CUDA driver");
    }

    @Test
    void shouldRefuseADeviceIndexBeyondTheDevices() {
        HpsServiceProperties.GpuIpc second = new HpsServiceProperties.GpuIpc(true, "127.0.0.1", 0, 1, null, 2, null,
                null);
        assertThatThrownBy(() -> GpuIpcEndpoint.start(second, ps, GpuAvailability.available(1, 13000),
                ordinal -> {
                    throw new AssertionError("no device may be opened for an ordinal out of range");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hps.gpu-ipc.device-index out of range: deviceIndex=1 deviceCount=1");
    }

    @Test
    void shouldServeTheFirstModelUnlessOneIsNamed() {
        assertThat(GpuIpcEndpoint.model(settings(null, null), ps).model()).isEqualTo(TestModel.NAME);
        assertThat(GpuIpcEndpoint.model(settings(null, TestModel.NAME), ps).model()).isEqualTo(TestModel.NAME);
        assertThatThrownBy(() -> GpuIpcEndpoint.model(settings(null, "ctr"), ps))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("hps.gpu-ipc.model is not in ps.json: model=ctr models=[" + TestModel.NAME + "]");
    }

    @Test
    void shouldTakeTheMaxBatchSizeFromPsJsonUnlessSet() {
        assertThat(GpuIpcEndpoint.maxBatchSize(settings(null, null), ps.models().getFirst())).isEqualTo(1024);
        assertThat(GpuIpcEndpoint.maxBatchSize(settings(256, null), ps.models().getFirst())).isEqualTo(256);
    }

    @Test
    void shouldReadEachTableShapeFromItsSparseFiles() {
        List<TableSpec> tables = GpuIpcEndpoint.tables(ps.models().getFirst());
        assertThat(tables).isEqualTo(model.tables());
    }

    @Test
    void shouldRejectSettingsOutOfRangeWhenBound() {
        assertThatThrownBy(() -> new HpsServiceProperties.GpuIpc(true, "127.0.0.1", 70000, 0, null, 2, null, null))
                .hasMessageContaining("hps.gpu-ipc.port out of range: port=70000");
        assertThatThrownBy(() -> new HpsServiceProperties.GpuIpc(true, "127.0.0.1", 9110, 0, 0, 2, null, null))
                .hasMessageContaining("maxBatchSize=0");
        assertThatThrownBy(() -> new HpsServiceProperties.GpuIpc(true, " ", 9110, 0, null, 2, null, null))
                .hasMessageContaining("hps.gpu-ipc.host must be set");
    }
}
