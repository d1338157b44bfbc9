package io.hps.dense.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.dense.path.PathKind;
import io.hps.gpu.GpuAvailability;
import io.hps.gpu.dense.GemmPrecision;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code dense.*} bound as the application binds it: defaults, device placement and what is refused. */
class DenseServicePropertiesTest {
    private static final GpuAvailability NO_GPU = GpuAvailability.unavailable("no CUDA device: deviceCount=0");
    private static final GpuAvailability ONE_GPU = GpuAvailability.available(1, 13000);

    private static DenseServiceProperties bind(String... keyValues) {
        Map<String, String> map = new HashMap<>();
        map.put("dense.models[0].name", "dlrm");
        map.put("dense.models[0].model-dir", "/models/dlrm");
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return new Binder(new MapConfigurationPropertySource(map)).bind("dense", DenseServiceProperties.class).get();
    }

    private static void assertRefused(ThrowableAssert.ThrowingCallable binding, String property, String... reason) {
        assertThatThrownBy(binding).isInstanceOfSatisfying(BindException.class, e -> {
            assertThat(e.getMessage()).contains(property);
            assertThat(e).rootCause().hasMessageContainingAll(reason);
        });
    }

    @Test
    void shouldPlaceInstancesOnTheCpuWithTf32ForTheGpuByDefault() {
        DenseServiceProperties p = bind();
        DenseServiceProperties.Model m = p.models().getFirst();
        assertThat(m.device()).isEqualTo(DenseServiceProperties.Device.CPU);
        assertThat(m.precision()).isEqualTo(GemmPrecision.TF32);
        assertThat(p.gpu().deviceIndex()).isZero();
        assertThat(p.gpuSettings(m).timeoutMillis()).isEqualTo(10_000);
        assertThat(m.onGpu(ONE_GPU)).isFalse();
    }

    @Test
    void shouldBindDeviceAndPrecisionInLowerCase() {
        DenseServiceProperties p = bind("dense.models[0].device", "gpu", "dense.models[0].precision", "fp32",
                "dense.models[0].path", "native", "dense.models[1].name", "auto", "dense.models[1].model-dir", "/m",
                "dense.models[1].device", "auto", "dense.gpu.device-index", "1", "dense.gpu.timeout-millis", "250");
        DenseServiceProperties.Model gpu = p.models().get(0);
        assertThat(gpu.device()).isEqualTo(DenseServiceProperties.Device.GPU);
        assertThat(p.gpuSettings(gpu).precision()).isEqualTo(GemmPrecision.FP32);
        assertThat(p.gpuSettings(gpu).timeoutMillis()).isEqualTo(250);
        assertThat(p.gpu().deviceIndex()).isEqualTo(1);
        assertThat(p.models().get(1).device()).isEqualTo(DenseServiceProperties.Device.AUTO);
    }

    @Test
    void shouldFollowTheProbeOnlyForAuto() {
        DenseServiceProperties p = bind("dense.models[0].device", "auto", "dense.models[1].name", "gpu",
                "dense.models[1].model-dir", "/m", "dense.models[1].device", "gpu");
        assertThat(p.models().get(0).onGpu(ONE_GPU)).isTrue();
        assertThat(p.models().get(0).onGpu(NO_GPU)).isFalse();
        assertThat(p.models().get(1).onGpu(NO_GPU)).as("gpu stays on the GPU and fails there").isTrue();
    }

    @Test
    void shouldRefuseAnUnknownDeviceOrPrecisionNamingTheProperty() {
        assertRefused(() -> bind("dense.models[0].device", "tpu"), "dense.models[0].device", "Device.tpu");
        assertRefused(() -> bind("dense.models[0].precision", "fp16"), "dense.models[0].precision",
                "GemmPrecision.fp16");
    }

    @Test
    void shouldRefuseTheEnsembleOnAutoAndOnTheGpuWithoutTheEndpointAddress() {
        assertRefused(() -> bind("dense.models[0].device", "auto", "dense.models[0].path", "ensemble",
                "dense.hps-replicas[0]", "hps:9100"), "dense.models[0]",
                "device must be cpu or gpu for path ensemble", "name=dlrm", "device=auto");
        assertRefused(() -> bind("dense.models[0].device", "gpu", "dense.models[0].path", "ensemble",
                "dense.hps-replicas[0]", "hps:9100"), "dense",
                "device gpu with path ensemble needs dense.gpu.ensemble-address", "name=dlrm");
        assertThat(bind("dense.models[0].device", "cpu", "dense.models[0].path", "ensemble",
                "dense.hps-replicas[0]", "hps:9100").models().getFirst().path()).isEqualTo(PathKind.ENSEMBLE);
    }

    @Test
    void shouldPlaceTheEnsembleOnTheGpuAtTheEndpointAddressWithoutReplicas() {
        DenseServiceProperties p = bind("dense.models[0].device", "gpu", "dense.models[0].path", "ensemble",
                "dense.gpu.ensemble-address", "127.0.0.1:9110");
        DenseServiceProperties.Model m = p.models().getFirst();
        assertThat(m.onGpu(NO_GPU)).isTrue();
        assertThat(p.gpuSettings(m).ensembleAddress()).isInstanceOfSatisfying(InetSocketAddress.class, a -> {
            assertThat(a.getHostString()).isEqualTo("127.0.0.1");
            assertThat(a.getPort()).isEqualTo(9110);
        });
        assertThat(bind().gpuSettings(bind().models().getFirst()).ensembleAddress()).isNull();
    }

    @Test
    void shouldReachTheEndpointOverSharedMemoryWhenTheAddressIsASocketPath() {
        DenseServiceProperties p = bind("dense.models[0].device", "gpu", "dense.models[0].path", "ensemble",
                "dense.gpu.ensemble-address", "shm:/run/hps/gpu-lookup.sock",
                "dense.hps-replicas[0]", "shm:/run/hps/lookup.sock", "dense.hps-replicas[1]", "hps:9100");
        assertThat(p.gpuSettings(p.models().getFirst()).ensembleAddress())
                .isEqualTo(UnixDomainSocketAddress.of("/run/hps/gpu-lookup.sock"));
        assertThat(p.replicaAddresses()).containsExactly(UnixDomainSocketAddress.of("/run/hps/lookup.sock"),
                InetSocketAddress.createUnresolved("hps", 9100));
    }

    @Test
    void shouldRefuseAnEnsembleAddressThatIsNotHostPort() {
        assertThatThrownBy(() -> bind("dense.gpu.ensemble-address", "localhost"))
                .isInstanceOf(BindException.class)
                .hasStackTraceContaining(
                        "dense.gpu.ensemble-address entry is neither host:port nor shm:/path: entry=localhost");
        assertThatThrownBy(() -> bind("dense.gpu.ensemble-address", "shm:relative.sock"))
                .isInstanceOf(BindException.class)
                .hasStackTraceContaining("dense.gpu.ensemble-address entry is not shm:/absolute/path");
    }

    @Test
    void shouldRefuseANegativeDeviceIndexOrTimeout() {
        assertRefused(() -> bind("dense.gpu.device-index", "-1"), "dense.gpu", "deviceIndex=-1");
        assertRefused(() -> bind("dense.gpu.timeout-millis", "0"), "dense.gpu", "timeoutMillis=0");
    }
}
