package io.hps.bench.hps;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Runs the {@link InProcessLookupBenchmark} methods interleaved, round after round, and prints per
 * method the median rows per second of the thread's CPU time and the median of its per-round ratio
 * to the gather baseline measured in the same round. On a shared, overloaded machine wall-clock
 * throughput mostly measures the scheduler; rows per CPU-second of the calling thread (one thread,
 * no waiting) and ratios between neighbouring slices are far steadier.
 *
 * <p>Usage: {@code java ... io.hps.bench.hps.PairedRatioDriver [rounds] [millisPerMethodPerRound]}
 * (defaults 40 and 100, after 10 warm-up rounds).
 */
public final class PairedRatioDriver {
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private PairedRatioDriver() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        long sliceNanos = (args.length > 1 ? Long.parseLong(args[1]) : 100) * 1_000_000L;
        InProcessLookupBenchmark bench = new InProcessLookupBenchmark();
        bench.setUp();
        Map<String, Method> methods = new LinkedHashMap<>();
        methods.put("gatherBaseline", new Method(() -> (int) bench.gatherBaseline().byteSize(), InProcessLookupBenchmark.BATCH));
        methods.put("gatherBaselineHugePages", new Method(() -> (int) bench.gatherBaselineHugePages().byteSize(),
                InProcessLookupBenchmark.BATCH));
        methods.put("cacheQuery", new Method(bench::cacheQuery, InProcessLookupBenchmark.BATCH));
        methods.put("staticTableQuery", new Method(bench::staticTableQuery, InProcessLookupBenchmark.BATCH));
        methods.put("hashMapTierGet", new Method(() -> (int) bench.hashMapTierGet(), InProcessLookupBenchmark.BATCH));
        methods.put("sessionLookup", new Method(bench::sessionLookup, InProcessLookupBenchmark.BATCH));
        methods.put("sessionLookupCriteo", new Method(bench::sessionLookupCriteo,
                InProcessLookupBenchmark.CRITEO_TABLES * InProcessLookupBenchmark.CRITEO_BATCH));
        int warmup = 10;
        double[][] rates = new double[methods.size()][rounds];
        for (int r = -warmup; r < rounds; r++) {
            int m = 0;
            for (Method method : methods.values()) {
                double rate = method.rowsPerSecond(sliceNanos);
                if (r >= 0) {
                    rates[m][r] = rate;
                }
                m++;
            }
        }
        System.out.printf("%-24s %14s %16s%n", "method", "rows/cpu-s p50", "x baseline (p50)");
        int m = 0;
        for (String name : methods.keySet()) {
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = rates[m][r] / rates[0][r];
            }
            System.out.printf("%-24s %14.0f %16.3f%n", name, median(rates[m]), median(ratios));
            m++;
        }
        bench.tearDown();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private record Method(IntSupplier call, int rowsPerCall) {
        double rowsPerSecond(long sliceNanos) {
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            long calls = 0;
            int sink = 0;
            long elapsed;
            do {
                sink += call.getAsInt();
                calls++;
                elapsed = System.nanoTime() - start;
            } while (elapsed < sliceNanos);
            if (sink == 42) {
                System.out.print("");
            }
            return calls * rowsPerCall * 1e9 / (THREADS.getCurrentThreadCpuTime() - cpuStart);
        }
    }
}
