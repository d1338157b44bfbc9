package io.hps.dense.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.hps.gpu.GpuException;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.dense.GemmPrecision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Without a CUDA driver the GPU paths report the GPU unavailable once and nothing else breaks. */
class GpuPathsWithoutGpuTest {

    @Test
    void shouldReportTheGpuUnavailableWhenNoDriverAnswers() throws Exception {
        assumeFalse(GpuRuntime.availability().available(), "a GPU is present");
        assertThatThrownBy(() -> GpuRuntime.device(0)).isInstanceOf(GpuException.class)
                .hasMessageContaining("GPU unavailable: reason=");
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            GpuPathsBench.main(new String[] {"--scale", "0.001"});
        } finally {
            System.setOut(stdout);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).startsWith("GPU unavailable: ");
    }

    @Test
    void shouldRejectAnInvalidConfiguration() {
        assertThatThrownBy(() -> new GpuPathConfig(0, GemmPrecision.TF32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatchSize=0");
        assertThatThrownBy(() -> new GpuPathConfig(64, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("precision");
    }
}
