package io.hps.dense.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.dense.gpu.ReferenceCheck;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.dense.GemmPrecision;
import io.hps.wire.ErrorCode;
import io.hps.wire.VectorDtype;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native and fused instances on the GPU, opened as the service opens them ({@link ScoringPaths#openOnGpu} on the
 * owner of device 0), against the CPU native path on the same generated model and batches and against the float64
 * reference: relative norm error of the scores under 2e-3 with TF32, under 1e-5 (reference) and 2e-5 (CPU path)
 * with FP32, the tolerances of the GPU path tests. Bad input is refused with the CPU paths' error codes.
 */
@Tag("gpu")
class GpuScoringPathsGpuTest {
    private static final double TF32_TOLERANCE = 2e-3;
    private static final double FP32_REFERENCE_TOLERANCE = 1e-5;
    private static final double FP32_CPU_TOLERANCE = 2e-5;

    @TempDir
    static Path root;
    static GeneratedModel model;
    static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    static final List<ScoringPath> opened = new ArrayList<>();
    static ScoringPath cpu;
    static Map<String, ScoringPath> gpu;

    @BeforeAll
    static void start() {
        model = GeneratedModel.generate(root);
        DeviceOwner owner = GpuRuntime.device(0);
        cpu = ScoringPaths.open(settings("cpu-native", PathKind.NATIVE), model.directory(), registry, null);
        opened.add(cpu);
        gpu = Map.of(
                "native-tf32", onGpu(owner, "gpu-native-tf32", PathKind.NATIVE, GemmPrecision.TF32),
                "native-fp32", onGpu(owner, "gpu-native-fp32", PathKind.NATIVE, GemmPrecision.FP32),
                "fused-tf32", onGpu(owner, "gpu-fused-tf32", PathKind.FUSED, GemmPrecision.TF32),
                "fused-fp32", onGpu(owner, "gpu-fused-fp32", PathKind.FUSED, GemmPrecision.FP32));
    }

    private static PathSettings settings(String name, PathKind kind) {
        return new PathSettings(name, kind, 2, 2, 100, VectorDtype.F32, false, 10_000, PathSettings.MAX_RESPONSE_BYTES);
    }

    private static ScoringPath onGpu(DeviceOwner owner, String name, PathKind kind, GemmPrecision precision) {
        ScoringPath path = ScoringPaths.openOnGpu(settings(name, kind), model.directory(), registry, owner,
                new GpuSettings(precision, 30_000));
        opened.add(path);
        return path;
    }

    @AfterAll
    static void stop() {
        opened.forEach(ScoringPath::close);
        GpuRuntime.shutdown();
    }

    private static float[] score(ScoringPath path, GeneratedModel.Batch batch) {
        float[] out = new float[batch.size()];
        path.score(batch.size(), batch.dense(), batch.keys(), out);
        return out;
    }

    private static boolean fp32(String name) {
        return name.endsWith("fp32");
    }

    @Test
    void shouldScoreAsTheCpuPathAndTheReferenceWithinThePrecisionsTolerance() {
        for (int size : new int[] {300, 1, GeneratedModel.MAX_BATCH}) {
            GeneratedModel.Batch batch = model.batch(size, 40 + size);
            double[] reference = model.reference(batch, UnaryOperator.identity());
            float[] onCpu = score(cpu, batch);
            gpu.forEach((name, path) -> {
                for (int pass = 0; pass < 2; pass++) {
                    float[] scores = score(path, batch);
                    double vsCpu = ReferenceCheck.relativeError(scores, onCpu);
                    double vsReference = ReferenceCheck.relativeError(scores, reference);
                    System.out.printf("gpu %s batch=%d pass=%d relative error vs cpu=%.2e vs reference=%.2e%n",
                            name, size, pass, vsCpu, vsReference);
                    assertThat(vsCpu).as("%s batch %d pass %d vs cpu", name, size, pass)
                            .isLessThan(fp32(name) ? FP32_CPU_TOLERANCE : TF32_TOLERANCE);
                    assertThat(vsReference).as("%s batch %d pass %d vs reference", name, size, pass)
                            .isLessThan(fp32(name) ? FP32_REFERENCE_TOLERANCE : TF32_TOLERANCE);
                }
            });
        }
    }

    @Test
    void shouldScoreUnknownKeysWithTheZeroVectorAsTheCpuPathsZeroDefault() {
        GeneratedModel.Batch batch = model.batch(64, 50);
        int tables = model.architecture().tableCount();
        for (int b = 0; b < batch.size(); b += 3) {
            int t = b % tables;
            long unknown = model.architecture().tables().get(t).rows() + 5 + b;
            batch.keys().setAtIndex(ValueLayout.JAVA_LONG, (long) b * tables + t, unknown);
        }
        float[] onCpu = score(cpu, batch);
        gpu.forEach((name, path) -> assertThat(ReferenceCheck.relativeError(score(path, batch), onCpu)).as(name)
                .isLessThan(fp32(name) ? FP32_CPU_TOLERANCE : TF32_TOLERANCE));
    }

    @Test
    void shouldRefuseBadInputWithTheCpuPathsErrorCodesAndKeepServing() {
        GeneratedModel.Batch batch = model.batch(16, 51);
        int over = GeneratedModel.MAX_BATCH + 1;
        MemorySegment overDense = MemorySegment.ofArray(new float[over * 13]);
        MemorySegment overKeys = MemorySegment.ofArray(new long[over * 26]);
        for (ScoringPath path : gpu.values()) {
            assertThat(path.maxBatchSize()).isEqualTo(cpu.maxBatchSize());
            assertThat(path.kind()).isIn(PathKind.NATIVE, PathKind.FUSED);
            for (ScoringPath p : List.of(cpu, path)) {
                batch.dense().setAtIndex(ValueLayout.JAVA_FLOAT, 3L * 13 + 5, Float.NaN);
                assertThatThrownBy(() -> score(p, batch)).isInstanceOfSatisfying(ScoringException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("sample=3", "feature=5");
                });
                batch.dense().setAtIndex(ValueLayout.JAVA_FLOAT, 3L * 13 + 5, 1f);
                assertThatThrownBy(() -> p.score(16, batch.dense().asSlice(0, 15 * 13 * 4), batch.keys(),
                        new float[16])).isInstanceOfSatisfying(ScoringException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
                assertThatThrownBy(() -> p.score(16, batch.dense(), batch.keys().asSlice(8), new float[16]))
                        .isInstanceOfSatisfying(ScoringException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
                assertThatThrownBy(() -> p.score(over, overDense, overKeys, new float[over]))
                        .isInstanceOfSatisfying(ScoringException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_KEYS));
            }
            assertThatThrownBy(() -> path.scoreEmbeddings(16, batch.dense(), null, new float[16]))
                    .isInstanceOfSatisfying(ScoringException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
            assertThat(ReferenceCheck.relativeError(score(path, batch), score(cpu, batch)))
                    .isLessThan(TF32_TOLERANCE);
        }
    }

    @Test
    void shouldRecordComputeLatencyAndBatchSizeUnderThePathTag() {
        score(gpu.get("fused-tf32"), model.batch(10, 52));
        assertThat(registry.get("dense.batch.size").tags("model", "gpu-fused-tf32", "path", "fused").summary()
                .count()).isPositive();
        assertThat(registry.get("dense.compute.latency").tags("model", "gpu-fused-tf32").timer().count())
                .isPositive();
    }
}
