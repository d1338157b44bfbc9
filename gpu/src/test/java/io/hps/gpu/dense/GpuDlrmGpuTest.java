package io.hps.gpu.dense;

import static io.hps.gpu.Accuracy.relativeError;
import static io.hps.gpu.Accuracy.report;
import static org.assertj.core.api.Assertions.assertThat;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.bench.SeededWeights;
import io.hps.model.CriteoTables;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.reference.ReferenceDlrm;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Tag("gpu")
class GpuDlrmGpuTest {

    private static final DlrmArchitecture CRITEO = DlrmArchitecture.criteo(CriteoTables.fl15(1e-4, 128));

    @ParameterizedTest
    @CsvSource({"FP32, 300", "FP32, 33", "TF32, 300", "TF32, 33"})
    void shouldMatchTheFloat64ReferenceFromHostAndDeviceInputs(GemmPrecision precision, int batch) {
        SplittableRandom random = new SplittableRandom();
        DlrmWeights weights = SeededWeights.create(CRITEO, random.nextLong());
        int embeddingFloats = CRITEO.tableCount() * CRITEO.embeddingDimension();
        float[] dense = SeededWeights.uniform(random, batch * CRITEO.denseFeatures(), 0, 1);
        float[] embeddings = SeededWeights.uniform(random, batch * embeddingFloats, -0.5, 0.5);
        DeviceOwner owner = GpuRuntime.device(0);

        try (GpuDlrm model = GpuDlrm.load(owner, weights, new GpuDlrmConfig(512, precision)).join()) {
            float[] hostScores = model.score(batch, dense, embeddings).join();
            float[] logits = owner.submit(c -> model.logits().readFloats(0, batch)).join();
            DeviceBuffer[] inputs = owner.submit(c -> {
                DeviceBuffer d = c.allocate(dense.length * 4L);
                DeviceBuffer e = c.allocate(embeddings.length * 4L);
                d.write(dense, 0);
                e.write(embeddings, 0);
                model.scores().fillAsync(Float.NaN, batch);
                return new DeviceBuffer[] {d, e};
            }).join();
            float[] deviceScores = model.score(batch, inputs[0], inputs[1]).join();
            owner.submit(c -> {
                inputs[0].close();
                inputs[1].close();
                return null;
            }).join();

            ReferenceDlrm reference = new ReferenceDlrm(weights);
            double[] expectedLogits = new double[batch];
            for (int s = 0; s < batch; s++) {
                expectedLogits[s] = reference.logit(dense, s * CRITEO.denseFeatures(), embeddings, (long) s * embeddingFloats);
            }
            double[] expectedScores = reference.forward(batch, dense, embeddings);
            double limit = precision == GemmPrecision.FP32 ? 1e-5 : 2e-3;
            assertThat(report("forward logits " + precision + " batch=" + batch, relativeError(logits, expectedLogits)))
                    .isLessThan(limit);
            assertThat(report("forward scores " + precision + " batch=" + batch,
                    relativeError(hostScores, expectedScores))).isLessThan(limit);
            assertThat(deviceScores).containsExactly(hostScores);
        }
    }
}
