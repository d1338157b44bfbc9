package io.hps.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class KernelResourcesTest {

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(");

    @ParameterizedTest
    @CsvSource({
        "dense_gemm, gemm_fp32_128x128 gemm_fp32_64x64 gemm_tf32_128x128 gemm_tf32_64x64"
            + " gemm_tf32r_128x128 gemm_tf32r_64x64 linear_sigmoid pad_columns",
        "interaction, dot_interaction dot_interaction_tf32",
        "gather, gather_rows"
    })
    void shouldShipPtxWithTheExpectedEntries(String module, String entries) {
        String ptx = new String(KernelModule.ptx(module), StandardCharsets.US_ASCII);

        assertThat(ptx).contains(".target sm_90").contains(".address_size 64");
        assertThat(entries(ptx)).isEqualTo(new TreeSet<>(Set.of(entries.split(" "))));
    }

    @Test
    void shouldUseTensorCoreMmaInTheTf32Gemm() {
        String ptx = new String(KernelModule.ptx("dense_gemm"), StandardCharsets.US_ASCII);

        assertThat(ptx).contains("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32")
                .contains("cvt.rna.tf32.f32")
                .contains("ldmatrix.sync.aligned.m8n8.x4.shared.b16")
                .contains("cp.async.cg.shared.global");
    }

    @Test
    void shouldRejectAMissingModuleWithItsPath() {
        assertThatThrownBy(() -> KernelModule.ptx("no_such_module"))
                .isInstanceOf(GpuException.class)
                .hasMessage("PTX resource missing: path=/io/hps/gpu/kernels/no_such_module.ptx");
    }

    private static Set<String> entries(String ptx) {
        Set<String> names = new TreeSet<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
