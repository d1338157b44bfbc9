package io.hps.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestBodiesTest {
    private static final DlrmArchitecture ARCHITECTURE = new DlrmArchitecture(3,
            List.of(new TableSpec("t0", 1000, 4), new TableSpec("t1", 50, 4)), new int[] {8, 4}, new int[] {8, 1});

    @Test
    void shouldLayOutTheJsonHeaderThenDenseThenKeysLittleEndian() {
        RequestBodies bodies = RequestBodies.build(ARCHITECTURE, WorkloadMode.REALISTIC, 5, 4, 1 << 20, 0);
        byte[] body = bodies.body(0);
        String header = new String(body, 0, bodies.headerLength(), StandardCharsets.UTF_8);
        assertThat(header).startsWith("{").endsWith("}")
                .contains("\"shape\": [5, 3]", "\"binary_data_size\": 60", "\"shape\": [5, 2]", "\"binary_data_size\": 80");
        assertThat(body).hasSize(bodies.headerLength() + 60 + 80);
        ByteBuffer keys = ByteBuffer.wrap(body, bodies.headerLength() + 60, 80).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 10; i++) {
            long key = keys.getLong();
            assertThat(key).isBetween(0L, i % 2 == 0 ? 999L : 49L);
        }
    }

    @Test
    void shouldSendOneBatchInSameModeAndCycleDistinctBatchesOtherwise() {
        RequestBodies same = RequestBodies.build(ARCHITECTURE, WorkloadMode.SAME, 8, 4, 1 << 20, 0);
        assertThat(same.count()).isOne();
        assertThat(same.body(7)).isSameAs(same.body(0));
        RequestBodies realistic = RequestBodies.build(ARCHITECTURE, WorkloadMode.REALISTIC, 8, 4, 1 << 20, 0);
        assertThat(realistic.count()).isEqualTo(4);
        assertThat(realistic.body(4)).isSameAs(realistic.body(0));
        assertThat(Arrays.equals(realistic.body(0), realistic.body(1))).isFalse();
    }

    @Test
    void shouldKeepWithinTheByteBudgetAndMoveColdStepsToFreshKeys() {
        RequestBodies budgeted = RequestBodies.build(ARCHITECTURE, WorkloadMode.REALISTIC, 8, 64, 8 * 28 * 3, 0);
        assertThat(budgeted.count()).isEqualTo(3);
        RequestBodies first = RequestBodies.build(ARCHITECTURE, WorkloadMode.COLD, 8, 2, 1 << 20, 0);
        RequestBodies second = RequestBodies.build(ARCHITECTURE, WorkloadMode.COLD, 8, 2, 1 << 20, 1);
        assertThat(Arrays.equals(first.body(0), second.body(0))).isFalse();
    }
}
