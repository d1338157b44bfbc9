package io.hps.dense.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.bench.SeededWeights;
import io.hps.gpu.dense.GemmPrecision;
import io.hps.gpu.table.SeededRows;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.gen.GeneratorSettings;
import io.hps.model.workload.Batch;
import io.hps.model.workload.WorkloadGenerator;
import io.hps.model.workload.WorkloadSettings;
import io.hps.tier.HashMapTier;
import io.hps.tier.HashMapTierSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The native and fused paths on a small synthetic FL=15 model, against ReferenceDlrm. */
@Tag("gpu")
class GpuPathsGpuTest {

    private static final double TF32_TOLERANCE = 2e-3;
    private static final double FP32_TOLERANCE = 1e-5;

    private static DeviceOwner owner;
    private static DlrmArchitecture arch;
    private static DlrmWeights weights;
    private static SeededRows rows;
    private static WorkloadGenerator workload;

    @BeforeAll
    static void setUp() {
        owner = GpuRuntime.device(0);
        arch = new GeneratorSettings(Path.of("."), "dlrm", 0.0005, 128, 11, 1, 512).architecture();
        weights = SeededWeights.create(arch, 11);
        rows = new SeededRows(arch.tables(), 11);
        workload = WorkloadGenerator.forArchitecture(arch, WorkloadSettings.zipf(12).withUnknownKeyFraction(0.02));
    }

    @AfterAll
    static void tearDown() {
        GpuRuntime.shutdown();
    }

    @Test
    void nativePathShouldMatchTheReferenceWithZeroVectorsForUnknownKeys() {
        try (GpuNativePath path = GpuNativePath.load(owner, weights, rows,
                new GpuPathConfig(512, GemmPrecision.FP32)).join()) {
            for (int size : new int[] {300, 33, 512}) {
                Batch batch = workload.next(size);
                double error = ReferenceCheck.of(weights, rows, batch).relativeError(path.score(batch).join());
                System.out.printf("accuracy native FP32 batch=%d relative error=%.2e%n", size, error);
                assertThat(error).isLessThan(FP32_TOLERANCE);
            }
        }
    }

    @Test
    void fusedPathShouldMatchTheReferenceAndHitOnRepeat() {
        try (HashMapTier tier = new HashMapTier(HashMapTierSettings.DEFAULTS)) {
            assertThat(TierLoad.load(tier, "dlrm", arch.tables(), rows)).isEqualTo(GpuFusedPath.rows(arch.tables()));
            try (GpuFusedPath path = GpuFusedPath.load(owner, weights, tier, "dlrm",
                    GpuFusedPath.rows(arch.tables()), new GpuPathConfig(512, GemmPrecision.TF32)).join()) {
                Batch batch = workload.next(400);
                ReferenceCheck reference = ReferenceCheck.of(weights, rows, batch);
                double cold = reference.relativeError(path.score(batch).join());
                long missesCold = path.misses();
                double warm = reference.relativeError(path.score(batch).join());
                System.out.printf("accuracy fused TF32 cold=%.2e warm=%.2e misses=%d%n", cold, warm, missesCold);
                assertThat(missesCold).isPositive();
                assertThat(path.misses()).isEqualTo(missesCold);
                assertThat(cold).isLessThan(TF32_TOLERANCE);
                assertThat(warm).isLessThan(TF32_TOLERANCE);
            }
        }
    }

    @Test
    void fusedPathShouldServeBatchesLargerThanItsCache() {
        try (HashMapTier tier = new HashMapTier(HashMapTierSettings.DEFAULTS)) {
            TierLoad.load(tier, "dlrm", arch.tables(), rows);
            try (GpuFusedPath path = GpuFusedPath.load(owner, weights, tier, "dlrm", 256,
                    new GpuPathConfig(512, GemmPrecision.FP32)).join()) {
                for (int i = 0; i < 3; i++) {
                    Batch batch = workload.next(512);
                    double error = ReferenceCheck.of(weights, rows, batch).relativeError(path.score(batch).join());
                    System.out.printf("accuracy fused FP32 small cache batch=512 relative error=%.2e%n", error);
                    assertThat(error).isLessThan(FP32_TOLERANCE);
                }
            }
        }
    }
}
