package io.hps.gpu.cache;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.PinnedBuffer;
import io.hps.gpu.StreamTimer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import jcuda.driver.CUdeviceptr;

/**
 * Query throughput of the device hash table: batches of {@value #BATCH} keys, dimension {@value #DIMENSION}, all
 * hits, keys drawn uniformly from {@value #LOADED} resident keys (vectors 512 MiB, far beyond L2), against the
 * device-to-device copy ceiling measured in the same run. Device times are CUDA events around
 * {@value #REPEATS} back-to-back queries (median of {@value #ROUNDS} rounds); the round trip adds the key upload,
 * the vector and miss download and a stream synchronisation, timed on the host.
 *
 * <pre>java -cp ... io.hps.gpu.cache.CacheQueryBench</pre>
 */
public final class CacheQueryBench {
    private static final int BATCH = 16384;
    private static final int DIMENSION = 128;
    private static final int LOADED = 1 << 20;
    private static final int QUERY_SETS = 32;
    private static final int REPEATS = 100;
    private static final int ROUNDS = 7;
    private static final long ROW_BYTES = DIMENSION * Float.BYTES;

    private CacheQueryBench() {
    }

    public static void main(String[] args) {
        DeviceOwner owner = GpuRuntime.device(0);
        System.out.println("device: " + owner.name());
        String report = owner.submit(CacheQueryBench::run).join();
        System.out.println(report);
        GpuRuntime.shutdown();
    }

    private static String run(DeviceContext c) {
        long[] keys = new SplittableRandom(42).longs(LOADED).toArray();
        try (DeviceBuffer data = c.allocate(BATCH * ROW_BYTES); DeviceBuffer keyBatches = c.allocate(
                (long) QUERY_SETS * BATCH * Long.BYTES); DeviceBuffer out = c.allocate(BATCH * ROW_BYTES);
             DeviceBuffer misses = c.allocate((long) BATCH * Integer.BYTES);
             PinnedBuffer hostKeys = c.allocatePinned((long) QUERY_SETS * BATCH * Long.BYTES);
             PinnedBuffer hostRows = c.allocatePinned(BATCH * ROW_BYTES);
             PinnedBuffer outcome = c.allocatePinned(TableOutcome.BYTES)) {
            float[] rows = new float[BATCH * DIMENSION];
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < rows.length; i++) {
                rows[i] = (float) random.nextDouble(-1, 1);
            }
            data.write(rows, 0);
            int[] queried = random.ints((long) QUERY_SETS * BATCH, 0, LOADED).toArray();
            for (int i = 0; i < queried.length; i++) {
                hostKeys.segment().setAtIndex(ValueLayout.JAVA_LONG, i, keys[queried[i]]);
            }
            cuMemcpyHtoDAsync(keyBatches.pointer(), hostKeys.pointer(), hostKeys.bytes(), c.stream());
            StringBuilder report = new StringBuilder();
            double copyGbPerS = copyCeiling(c);
            report.append(String.format("d2d copy ceiling: %.0f GB/s (read + write)%n", copyGbPerS));
            report.append(String.format("%-8s %12s %12s %10s %14s %12s %12s%n", "mode", "kernel us", "keys/s",
                    "GB/s", "of ceiling", "roundtrip us", "keys/s"));
            for (boolean evicting : new boolean[] {true, false}) {
                HashTableShape shape = evicting ? HashTableShape.evicting(2L * LOADED, DIMENSION)
                        : HashTableShape.staticTable(LOADED, DIMENSION);
                try (DeviceHashTable table = DeviceHashTable.allocate(c, shape)) {
                    load(c, table, keys, data, outcome);
                    report.append(measure(c, table, new Buffers(keyBatches, out, misses, hostKeys, hostRows, outcome),
                            rows, queried, copyGbPerS, evicting ? "dynamic" : "static"));
                }
            }
            return report.toString();
        }
    }

    /** Inserts all keys; key {@code i} gets row {@code i % BATCH} of the random data. */
    private static void load(DeviceContext c, DeviceHashTable table, long[] keys, DeviceBuffer data,
                             PinnedBuffer outcome) {
        int inserted = 0;
        try (DeviceBuffer batch = c.allocate((long) BATCH * Long.BYTES);
             PinnedBuffer staging = c.allocatePinned((long) BATCH * Long.BYTES)) {
            for (int start = 0; start < keys.length; start += BATCH) {
                MemorySegment.copy(keys, start, staging.segment(), ValueLayout.JAVA_LONG, 0, BATCH);
                cuMemcpyHtoDAsync(batch.pointer(), staging.pointer(), (long) BATCH * Long.BYTES, c.stream());
                table.replace(batch.pointer(), BATCH, data.pointer(), 1);
                table.copyOutcomeAsync(outcome);
                c.synchronize();
                TableOutcome o = TableOutcome.read(outcome.segment());
                inserted += o.inserted() - o.evicted();
            }
        }
        if (!table.shape().evicting() && inserted != keys.length) {
            throw new IllegalStateException("static load incomplete: inserted=" + inserted);
        }
    }

    /** The buffers a measurement works in: query key batches on the device and in pinned memory, outputs. */
    private record Buffers(DeviceBuffer keyBatches, DeviceBuffer out, DeviceBuffer misses, PinnedBuffer hostKeys,
                           PinnedBuffer hostRows, PinnedBuffer outcome) {
    }

    private static String measure(DeviceContext c, DeviceHashTable table, Buffers b, float[] rows, int[] queried,
                                  double copyGbPerS, String mode) {
        int missed = check(c, table, b, rows, queried);
        double[] kernelUs = new double[ROUNDS];
        try (StreamTimer timer = c.timer()) {
            for (int round = 0; round < ROUNDS; round++) {
                timer.start();
                for (int r = 0; r < REPEATS; r++) {
                    table.query(batch(b.keyBatches(), r), BATCH, b.out().pointer(), b.misses().pointer(), 2 + r);
                }
                timer.stop();
                kernelUs[round] = timer.elapsedMillis() * 1000.0 / REPEATS;
            }
        }
        double[] tripUs = new double[REPEATS];
        for (int r = 0; r < REPEATS; r++) {
            long t0 = System.nanoTime();
            long keyOffset = (long) (r % QUERY_SETS) * BATCH * Long.BYTES;
            cuMemcpyHtoDAsync(batch(b.keyBatches(), r), b.hostKeys().pointer().withByteOffset(keyOffset),
                    (long) BATCH * Long.BYTES, c.stream());
            table.query(batch(b.keyBatches(), r), BATCH, b.out().pointer(), b.misses().pointer(), 1000 + r);
            cuMemcpyDtoHAsync(b.hostRows().pointer(), b.out().pointer(), BATCH * ROW_BYTES, c.stream());
            table.copyOutcomeAsync(b.outcome());
            c.synchronize();
            tripUs[r] = (System.nanoTime() - t0) / 1000.0;
        }
        double kernel = median(kernelUs);
        double trip = median(tripUs);
        double bytes = BATCH * (2.0 * ROW_BYTES + Long.BYTES);
        double gbPerS = bytes / kernel / 1000.0;
        return String.format("%-8s %12.1f %12.3e %10.0f %13.0f%% %12.1f %12.3e   (check: %d misses of %d)%n", mode,
                kernel, BATCH / kernel * 1e6, gbPerS, 100 * gbPerS / copyGbPerS, trip, BATCH / trip * 1e6, missed,
                BATCH);
    }

    /** Queries the first batch once and compares every row with the data loaded for its key. */
    private static int check(DeviceContext c, DeviceHashTable table, Buffers b, float[] rows, int[] queried) {
        b.out().fillAsync(Float.NaN, (long) BATCH * DIMENSION);
        table.query(batch(b.keyBatches(), 0), BATCH, b.out().pointer(), b.misses().pointer(), 2);
        table.copyOutcomeAsync(b.outcome());
        cuMemcpyDtoHAsync(b.hostRows().pointer(), b.out().pointer(), BATCH * ROW_BYTES, c.stream());
        c.synchronize();
        int missed = TableOutcome.read(b.outcome().segment()).missed();
        PinnedBuffer hostRows = b.hostRows();
        int wrong = 0;
        for (int i = 0; i < BATCH; i++) {
            int row = queried[i] % BATCH;
            for (int j = 0; j < DIMENSION; j++) {
                if (hostRows.segment().getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * DIMENSION + j)
                        != rows[row * DIMENSION + j]) {
                    wrong++;
                    break;
                }
            }
        }
        if (wrong != missed) {
            throw new IllegalStateException("query check failed: wrongRows=" + wrong + " missed=" + missed);
        }
        return missed;
    }

    private static CUdeviceptr batch(DeviceBuffer keyBatches, int r) {
        return keyBatches.pointer((long) (r % QUERY_SETS) * BATCH * Long.BYTES);
    }

    /** Device-to-device copy of 512 MiB, read plus write bytes per second, in GB/s. */
    private static double copyCeiling(DeviceContext c) {
        long bytes = 512L << 20;
        double[] gbPerS = new double[ROUNDS];
        try (DeviceBuffer a = c.allocate(bytes); DeviceBuffer b = c.allocate(bytes); StreamTimer timer = c.timer()) {
            a.fillAsync(1.5f, bytes / Float.BYTES);
            for (int round = 0; round < ROUNDS; round++) {
                timer.start();
                cuMemcpyDtoDAsync(b.pointer(), a.pointer(), bytes, c.stream());
                timer.stop();
                gbPerS[round] = 2.0 * bytes / (timer.elapsedMillis() * 1e6);
            }
        }
        return median(gbPerS);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
