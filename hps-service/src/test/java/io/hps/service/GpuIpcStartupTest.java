package io.hps.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.hps.gpu.GpuRuntime;
import io.hps.store.TestModel;
import io.hps.transport.gpu.IpcLookupServer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** {@code hps.gpu-ipc.enabled} through the whole application: off changes nothing, on without a GPU stops start-up. */
class GpuIpcStartupTest {

    @TempDir
    static Path root;
    static Path ps;

    @BeforeAll
    static void generate() {
        ps = TestModel.generate(root).psJson("{\"type\": \"hash_map\"}", "{\"type\": \"disabled\"}", "");
    }

    /** Command-line arguments, above application.yml. */
    private static ConfigurableApplicationContext run(boolean gpuIpc) {
        return new SpringApplicationBuilder(HpsServiceApplication.class).run("--hps.ps-config=" + ps,
                "--hps.rsocket.host=127.0.0.1", "--hps.rsocket.port=0", "--server.port=0",
                "--hps.gpu-ipc.enabled=" + gpuIpc, "--hps.gpu-ipc.port=0");
    }

    @Test
    void shouldStartWithoutTheEndpointWhenDisabled() {
        try (ConfigurableApplicationContext context = run(false)) {
            assertThat(context.getBeansOfType(IpcLookupServer.class)).isEmpty();
        }
    }

    @Test
    void shouldFailStartUpWithAClearMessageWhenEnabledWithoutGpu() {
        assumeFalse(GpuRuntime.availability().available(), "this machine has a GPU");
        assertThatThrownBy(() -> run(true).close())
                .rootCause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("hps.gpu-ipc.enabled=true but no GPU is usable")
                .hasMessageContaining("reason=");
    }
}
