package io.hps.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import org.junit.jupiter.api.Test;

class CudaProbeTest {

    @Test
    void shouldGiveTheSameAnswerOnEveryProbeWithoutThrowing() {
        GpuAvailability first = CudaProbe.probe();
        GpuAvailability second = CudaProbe.probe();

        assertThat(second).isEqualTo(first);
        assertThat(GpuRuntime.availability()).isSameAs(GpuRuntime.availability());
        assertThat(GpuRuntime.availability().available()).isEqualTo(first.available());
    }

    @Test
    void shouldReportUnavailableWithReasonWhenTheDriverLibraryIsMissing() {
        assumeFalse(driverLibraryLoads(), "this machine has a CUDA driver");

        for (int i = 0; i < 2; i++) {
            GpuAvailability a = CudaProbe.probe();
            assertThat(a.available()).isFalse();
            assertThat(a.deviceCount()).isZero();
            assertThat(a.reason()).contains("libcuda.so.1");
        }
        assertThat(GpuRuntime.availability().available()).isFalse();
    }

    @Test
    void shouldRefuseDevicesWithATypedErrorWhenUnavailable() {
        assumeFalse(driverLibraryLoads(), "this machine has a CUDA driver");

        assertThatThrownBy(() -> GpuRuntime.device(0))
                .isInstanceOf(GpuException.class)
                .hasMessageContaining("GPU unavailable: reason=");
        assertThatThrownBy(() -> GpuRuntime.device(0)).isInstanceOf(GpuException.class);
    }

    private static boolean driverLibraryLoads() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(CudaProbe.DRIVER_LIBRARY, arena);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
