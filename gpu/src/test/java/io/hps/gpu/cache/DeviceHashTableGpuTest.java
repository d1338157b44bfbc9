package io.hps.gpu.cache;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static org.assertj.core.api.Assertions.assertThat;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.PinnedBuffer;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import jcuda.Pointer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The table's kernels with many warps on few sets in one launch, checked against what was written. */
@Tag("gpu")
class DeviceHashTableGpuTest {
    private static final int DIMENSION = 32;

    @Test
    void shouldFillEverySetAndEvictTheRestWhenOneLaunchInsertsFarMoreKeysThanSlots() {
        int count = 20000;
        long[] keys = new SplittableRandom(3).longs(count).toArray();
        float[] rows = rows(count);

        Result result = GpuRuntime.device(0).submit(c -> {
            try (DeviceHashTable table = DeviceHashTable.allocate(c, HashTableShape.evicting(2048, DIMENSION))) {
                TableOutcome replaced = replace(c, table, keys, rows);
                return new Result(replaced, dump(c, table), query(c, table, keys));
            }
        }).join();

        assertThat(result.write().inserted()).isEqualTo(count);
        assertThat(result.write().evicted()).isEqualTo(count - 2048);
        assertThat(result.dumped()).hasSize(2048);
        Map<Long, Integer> index = indexOf(keys);
        result.dumped().forEach((key, vector) -> assertThat(vector).containsExactly(row(rows, index.get(key))));
        assertThat(result.missed()).isEqualTo(count - 2048);
    }

    @Test
    void shouldNeverEvictFromAStaticTableAndRejectOnlyWhenRowsRunOut() {
        int capacity = 5000;
        long[] keys = new SplittableRandom(4).longs(capacity + 10).toArray();
        float[] rows = rows(keys.length);

        Result result = GpuRuntime.device(0).submit(c -> {
            try (DeviceHashTable table = DeviceHashTable.allocate(c, HashTableShape.staticTable(capacity, DIMENSION))) {
                TableOutcome replaced = replace(c, table, keys, rows);
                return new Result(replaced, dump(c, table), query(c, table, keys));
            }
        }).join();

        assertThat(result.write().inserted()).isEqualTo(capacity);
        assertThat(result.write().evicted()).isZero();
        assertThat(result.write().rowsUsed()).isEqualTo(capacity);
        assertThat(result.write().firstRejected()).isBetween(0, keys.length - 1);
        assertThat(result.dumped()).hasSize(capacity).doesNotContainKey(keys[result.write().firstRejected()]);
        Map<Long, Integer> index = indexOf(keys);
        result.dumped().forEach((key, vector) -> assertThat(vector).containsExactly(row(rows, index.get(key))));
        assertThat(result.missed()).isEqualTo(10);
    }

    @Test
    void shouldWriteZeroVectorsForUnknownKeysWhenQueriedOrZero() {
        int stored = 3000;
        long[] keys = new SplittableRandom(5).longs(stored + 500).toArray();
        float[] rows = rows(stored);
        long[] present = java.util.Arrays.copyOf(keys, stored);

        record Answer(float[] vectors, int missed) {
        }
        Answer answer = GpuRuntime.device(0).submit(c -> {
            try (DeviceHashTable table = DeviceHashTable.allocate(c, HashTableShape.staticTable(stored, DIMENSION));
                 DeviceBuffer k = c.allocate((long) keys.length * Long.BYTES);
                 DeviceBuffer out = c.allocate((long) keys.length * DIMENSION * Float.BYTES);
                 DeviceBuffer misses = c.allocate((long) keys.length * Integer.BYTES);
                 PinnedBuffer outcome = c.allocatePinned(TableOutcome.BYTES)) {
                replace(c, table, present, rows);
                float[] garbage = new float[keys.length * DIMENSION];
                java.util.Arrays.fill(garbage, Float.NaN);
                out.write(garbage, 0);
                k.write(keys);
                table.queryOrZero(k.pointer(), keys.length, out.pointer(), misses.pointer(), 2);
                table.copyOutcomeAsync(outcome);
                c.synchronize();
                return new Answer(out.readFloats(0, keys.length * DIMENSION),
                        TableOutcome.read(outcome.segment()).missed());
            }
        }).join();

        assertThat(answer.missed()).isEqualTo(keys.length - stored);
        for (int i = 0; i < keys.length; i++) {
            float[] expected = i < stored ? row(rows, i) : new float[DIMENSION];
            assertThat(row(answer.vectors(), i)).as("row %d", i).containsExactly(expected);
        }
    }

    private record Result(TableOutcome write, Map<Long, float[]> dumped, int missed) {
    }

    private static TableOutcome replace(DeviceContext c, DeviceHashTable table, long[] keys, float[] rows) {
        try (DeviceBuffer k = c.allocate((long) keys.length * Long.BYTES);
             DeviceBuffer v = c.allocate((long) rows.length * Float.BYTES);
             PinnedBuffer outcome = c.allocatePinned(TableOutcome.BYTES)) {
            k.write(keys);
            v.write(rows, 0);
            table.replace(k.pointer(), keys.length, v.pointer(), 1);
            table.copyOutcomeAsync(outcome);
            c.synchronize();
            return TableOutcome.read(outcome.segment());
        }
    }

    private static Map<Long, float[]> dump(DeviceContext c, DeviceHashTable table) {
        int slots = (int) table.shape().slots();
        try (DeviceBuffer k = c.allocate((long) slots * Long.BYTES);
             DeviceBuffer v = c.allocate((long) slots * DIMENSION * Float.BYTES);
             PinnedBuffer outcome = c.allocatePinned(TableOutcome.BYTES)) {
            table.dump(0, table.shape().sets(), k.pointer(), v.pointer());
            table.copyOutcomeAsync(outcome);
            c.synchronize();
            int dumped = TableOutcome.read(outcome.segment()).dumped();
            long[] keys = new long[dumped];
            cuMemcpyDtoH(Pointer.to(keys), k.pointer(), (long) dumped * Long.BYTES);
            float[] vectors = v.readFloats(0, dumped * DIMENSION);
            Map<Long, float[]> entries = new HashMap<>();
            for (int i = 0; i < dumped; i++) {
                assertThat(entries.put(keys[i], row(vectors, i))).as("key %d dumped once", keys[i]).isNull();
            }
            return entries;
        }
    }

    /** Queries all keys and returns the miss count, after checking that the miss indices are distinct. */
    private static int query(DeviceContext c, DeviceHashTable table, long[] keys) {
        try (DeviceBuffer k = c.allocate((long) keys.length * Long.BYTES);
             DeviceBuffer out = c.allocate((long) keys.length * DIMENSION * Float.BYTES);
             DeviceBuffer misses = c.allocate((long) keys.length * Integer.BYTES);
             PinnedBuffer outcome = c.allocatePinned(TableOutcome.BYTES);
             PinnedBuffer missed = c.allocatePinned((long) keys.length * Integer.BYTES)) {
            k.write(keys);
            table.query(k.pointer(), keys.length, out.pointer(), misses.pointer(), 2);
            table.copyOutcomeAsync(outcome);
            cuMemcpyDtoHAsync(missed.pointer(), misses.pointer(), missed.bytes(), c.stream());
            c.synchronize();
            int count = TableOutcome.read(outcome.segment()).missed();
            Set<Integer> distinct = new HashSet<>();
            for (int m = 0; m < count; m++) {
                distinct.add(missed.segment().getAtIndex(ValueLayout.JAVA_INT, m));
            }
            assertThat(distinct).hasSize(count).allMatch(i -> i >= 0 && i < keys.length);
            return count;
        }
    }

    private static float[] rows(int count) {
        SplittableRandom random = new SplittableRandom(count);
        float[] rows = new float[count * DIMENSION];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) random.nextDouble(-1, 1);
        }
        return rows;
    }

    private static float[] row(float[] rows, int i) {
        float[] row = new float[DIMENSION];
        System.arraycopy(rows, i * DIMENSION, row, 0, DIMENSION);
        return row;
    }

    private static Map<Long, Integer> indexOf(long[] keys) {
        Map<Long, Integer> index = new HashMap<>();
        IntStream.range(0, keys.length).forEach(i -> index.put(keys[i], i));
        return index;
    }
}
