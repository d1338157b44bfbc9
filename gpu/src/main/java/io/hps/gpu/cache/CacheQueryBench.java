package io.hps.gpu.cache;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

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
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;

/**
 * Query throughput of the device hash table: batches of {@value #BATCH} keys, dimension {@value #DIMENSION}, all
 * hits (and batches of {@value #LARGE_BATCH}), keys drawn uniformly from {@value #LOADED} resident keys (vectors 512 MiB,
 * far beyond L2), against the device-to-device copy ceiling measured in the same run. Device times are CUDA events around
 * {@value #REPEATS} back-to-back queries (median of {@value #ROUNDS} rounds); the round trip adds the key upload,
 * the vector and miss download and a stream synchronisation, timed on the host.
 *
 * Device time is also taken from a CUDA graph of the same queries, which leaves out the host's launch cost.
 *
 * <pre>java -cp ... io.hps.gpu.cache.CacheQueryBench [MODULE...]</pre>
 * MODULE names builds of the kernels to compare ({@code /io/hps/gpu/kernels/MODULE.ptx}); default
 * {@code embedding_cache}.
 */
public final class CacheQueryBench {
    private static final int BATCH = 16384;
    /** A second, larger batch: consecutive query batches taken together. */
    private static final int LARGE_BATCH = 8 * BATCH;
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
        String[] modules = args.length == 0 ? new String[] {DeviceHashTable.MODULE} : args;
        String report = owner.submit(c -> run(c, modules)).join();
        System.out.println(report);
        GpuRuntime.shutdown();
    }

    private static String run(DeviceContext c, String[] modules) {
        long[] keys = new SplittableRandom(42).longs(LOADED).toArray();
        try (DeviceBuffer data = c.allocate(BATCH * ROW_BYTES); DeviceBuffer keyBatches = c.allocate(
                (long) QUERY_SETS * BATCH * Long.BYTES); DeviceBuffer out = c.allocate(LARGE_BATCH * ROW_BYTES);
             DeviceBuffer misses = c.allocate((long) LARGE_BATCH * Integer.BYTES);
             PinnedBuffer hostKeys = c.allocatePinned((long) QUERY_SETS * BATCH * Long.BYTES);
             PinnedBuffer hostRows = c.allocatePinned(LARGE_BATCH * ROW_BYTES);
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
            report.append(String.format("%-16s %-8s %7s %10s %10s %10s %7s %8s %10s %10s%n", "module", "mode", "batch",
                    "stream us", "graph us", "keys/s", "GB/s", "ceiling", "trip us", "keys/s"));
            for (String module : modules) {
                for (boolean evicting : new boolean[] {true, false}) {
                    report.append(measureTable(c, module, evicting, keys, data, outcome,
                            new Buffers(keyBatches, out, misses, hostKeys, hostRows, outcome), rows, queried,
                            copyGbPerS));
                }
            }
            return report.toString();
        }
    }

    private static String measureTable(DeviceContext c, String module, boolean evicting, long[] keys,
                                       DeviceBuffer data, PinnedBuffer outcome, Buffers buffers, float[] rows,
                                       int[] queried, double copyGbPerS) {
        StringBuilder report = new StringBuilder();
        HashTableShape shape = evicting ? HashTableShape.evicting(2L * LOADED, DIMENSION)
                : HashTableShape.staticTable(LOADED, DIMENSION);
        try (DeviceHashTable table = DeviceHashTable.allocate(c, shape, module)) {
            load(c, table, keys, data, outcome);
            int missed = check(c, table, buffers, rows, queried);
            for (int batch : new int[] {BATCH, LARGE_BATCH}) {
                report.append(String.format("%-16s ", module)).append(
                        measure(c, table, buffers, batch, copyGbPerS, evicting ? "dynamic" : "static", missed));
            }
        }
        return report.toString();
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

    /** Query timings for batches of {@code batch} keys: consecutive key batches from the start, rotating. */
    private static String measure(DeviceContext c, DeviceHashTable table, Buffers b, int batch, double copyGbPerS,
                                  String mode, int missed) {
        int batches = QUERY_SETS * BATCH / batch;
        Runnable queries = () -> {
            for (int r = 0; r < REPEATS; r++) {
                table.query(batchKeys(b.keyBatches(), r % batches, batch), batch, b.out().pointer(),
                        b.misses().pointer(), 2 + r);
            }
        };
        double stream = streamMicros(c, queries) / REPEATS;
        double graph = graphMicrosOrNaN(c, queries) / REPEATS;
        double[] tripUs = new double[REPEATS];
        for (int r = 0; r < REPEATS; r++) {
            long t0 = System.nanoTime();
            long keyOffset = (long) (r % batches) * batch * Long.BYTES;
            CUdeviceptr keys = batchKeys(b.keyBatches(), r % batches, batch);
            cuMemcpyHtoDAsync(keys, b.hostKeys().pointer().withByteOffset(keyOffset), (long) batch * Long.BYTES,
                    c.stream());
            table.query(keys, batch, b.out().pointer(), b.misses().pointer(), 1000 + r);
            cuMemcpyDtoHAsync(b.hostRows().pointer(), b.out().pointer(), batch * ROW_BYTES, c.stream());
            table.copyOutcomeAsync(b.outcome());
            c.synchronize();
            tripUs[r] = (System.nanoTime() - t0) / 1000.0;
        }
        double trip = median(tripUs);
        double bytes = batch * (2.0 * ROW_BYTES + Long.BYTES);
        double gbPerS = bytes / graph / 1000.0;
        return String.format("%-8s %7d %10.1f %10.1f %10.3e %7.0f %7.0f%% %10.1f %10.3e   (check: %d misses of %d)%n",
                mode, batch, stream, graph, batch / graph * 1e6, gbPerS, 100 * gbPerS / copyGbPerS, trip,
                batch / trip * 1e6, missed, BATCH);
    }

    /** Median over rounds of the device time of the enqueued work, launched from the host each time, in us. */
    private static double streamMicros(DeviceContext c, Runnable work) {
        double[] us = new double[ROUNDS];
        try (StreamTimer timer = c.timer()) {
            for (int round = 0; round < ROUNDS; round++) {
                timer.start();
                work.run();
                timer.stop();
                us[round] = timer.elapsedMillis() * 1000.0;
            }
        }
        return median(us);
    }

    private static double graphMicrosOrNaN(DeviceContext c, Runnable work) {
        try {
            return graphMicros(c, work);
        } catch (RuntimeException e) {
            System.out.println("graph timing failed: " + e);
            return Double.NaN;
        }
    }

    /** Median over rounds of the device time of the work captured once as a CUDA graph and replayed, in us. */
    private static double graphMicros(DeviceContext c, Runnable work) {
        CUgraph graph = new CUgraph();
        CUgraphExec exec = new CUgraphExec();
        cuStreamBeginCapture(c.stream(), CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED);
        try {
            work.run();
        } finally {
            cuStreamEndCapture(c.stream(), graph);
        }
        cuGraphInstantiate(exec, graph, 0);
        try {
            cuGraphLaunch(exec, c.stream());
            return streamMicros(c, () -> cuGraphLaunch(exec, c.stream()));
        } finally {
            c.synchronize();
            cuGraphExecDestroy(exec);
            cuGraphDestroy(graph);
        }
    }

    /** Queries the first batch once and compares every row with the data loaded for its key. */
    private static int check(DeviceContext c, DeviceHashTable table, Buffers b, float[] rows, int[] queried) {
        b.out().fillAsync(Float.NaN, (long) BATCH * DIMENSION);
        table.query(batchKeys(b.keyBatches(), 0, BATCH), BATCH, b.out().pointer(), b.misses().pointer(), 2);
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

    /** The keys of batch {@code index} when the query keys are cut into batches of {@code batch}. */
    private static CUdeviceptr batchKeys(DeviceBuffer keyBatches, int index, int batch) {
        return keyBatches.pointer((long) index * batch * Long.BYTES);
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
