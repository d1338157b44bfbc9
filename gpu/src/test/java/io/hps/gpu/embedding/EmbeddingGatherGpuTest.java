package io.hps.gpu.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuRuntime;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("gpu")
class EmbeddingGatherGpuTest {

    @Test
    void shouldCopyTheIndexedRowsExactly() {
        DeviceOwner owner = GpuRuntime.device(0);
        SplittableRandom random = new SplittableRandom();
        int tableRows = 1000;
        int dim = 128;
        int count = 5003;
        float[] table = new float[tableRows * dim];
        for (int i = 0; i < table.length; i++) {
            table[i] = (float) random.nextDouble(-1, 1);
        }
        long[] rows = random.longs(count, 0, tableRows).toArray();

        float[] out = owner.submit(c -> {
            try (DeviceBuffer t = c.allocate((long) table.length * 4); DeviceBuffer r = c.allocate((long) count * 8);
                 DeviceBuffer o = c.allocate((long) count * dim * 4)) {
                t.write(table, 0);
                r.write(rows);
                o.fillAsync(Float.NaN, (long) count * dim);
                EmbeddingGather.load(c).gather(t.pointer(), dim, r.pointer(), count, o.pointer());
                return o.readFloats(0, count * dim);
            }
        }).join();

        for (int i = 0; i < count; i++) {
            for (int k = 0; k < dim; k++) {
                assertThat(out[i * dim + k]).isEqualTo(table[(int) rows[i] * dim + k]);
            }
        }
    }
}
