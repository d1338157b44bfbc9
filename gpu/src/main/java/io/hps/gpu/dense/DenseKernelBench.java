package io.hps.gpu.dense;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.bench.SeededWeights;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Per-kernel timings of the dense forward at one large batch: every GEMM entry (mode x tile) on the Criteo layer
 * shapes, both interaction kernels, the dense padding and the fused last layer. Median of CUDA-event times over
 * repeated launches on random data. Usage: {@code DenseKernelBench [rows]} (default 131072).
 */
public final class DenseKernelBench {

    private static final int[][] CRITEO_LAYERS = {
        {16, 512}, {512, 256}, {256, 128}, {480, 1024}, {1024, 1024}, {1024, 512}, {512, 256}
    };
    private static final int REPS = 15;

    private DenseKernelBench() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 131072;
        DeviceOwner owner = GpuRuntime.device(0);
        owner.submit(c -> {
            run(c, rows);
            return null;
        }).join();
        GpuRuntime.shutdown();
    }

    private static void run(DeviceContext c, int rows) {
        long floats = (long) rows * 1024;
        try (DeviceBuffer x = random(c, floats); DeviceBuffer y = c.allocate(floats * 4);
             DeviceBuffer w = random(c, 1024L * 1024); DeviceBuffer b = random(c, 1024);
             DeviceBuffer emb = random(c, (long) rows * 26 * 128)) {
            System.out.printf(Locale.ROOT, "%-8s %-6s %5s %5s %9s %8s%n", "mode", "tile", "K", "N", "ms", "TFLOP/s");
            for (GemmMode mode : GemmMode.values()) {
                DenseKernels k = new DenseKernels(c, mode, false);
                for (DenseKernels.Tile tile : DenseKernels.Tile.values()) {
                    if (!tile.supports(mode)) {
                        continue;
                    }
                    double total = 0;
                    for (int[] layer : CRITEO_LAYERS) {
                        int in = layer[0];
                        int out = layer[1];
                        double ms = median(c, () -> k.gemm(x.pointer(), in, w.pointer(), in, b.pointer(), y.pointer(),
                                out, rows, out, in, DenseKernels.FLAG_RELU, tile));
                        total += ms;
                        System.out.printf(Locale.ROOT, "%-8s %-6s %5d %5d %9.4f %8.1f%n", mode, tile, in, out, ms,
                                2.0 * rows * in * out / (ms * 1e-3) / 1e12);
                    }
                    System.out.printf(Locale.ROOT, "%-8s %-6s %11s %9.4f%n", mode, tile, "all layers", total);
                }
            }
            for (boolean tensorCores : new boolean[] {false, true}) {
                DenseKernels k = new DenseKernels(c, GemmMode.FP32, tensorCores);
                double ms = median(c, () -> k.interaction(x.pointer(), 128, emb.pointer(), y.pointer(), 480, rows, 26,
                        128, false));
                double gb = (double) rows * (26 * 128 + 128 + 480) * 4 / 1e9;
                System.out.printf(Locale.ROOT, "interaction tensorCores=%s %9.4f ms %7.0f GB/s%n", tensorCores, ms,
                        gb / (ms * 1e-3));
            }
            DenseKernels k = new DenseKernels(c, GemmMode.FP32, false);
            System.out.printf(Locale.ROOT, "pad_columns %9.4f ms%n",
                    median(c, () -> k.padColumns(emb.pointer(), 13, y.pointer(), 16, rows, true)));
            System.out.printf(Locale.ROOT, "linear_sigmoid %9.4f ms%n", median(c, () -> k.linearSigmoid(x.pointer(),
                    256, w.pointer(), b.pointer(), y.pointer(), null, rows, 256)));
        }
    }

    private static DeviceBuffer random(DeviceContext c, long floats) {
        DeviceBuffer buffer = c.allocate(floats * 4);
        int chunk = (int) Math.min(floats, 1 << 22);
        float[] data = SeededWeights.uniform(new SplittableRandom(floats), chunk, -1, 1);
        for (long off = 0; off < floats; off += chunk) {
            buffer.write(off + chunk <= floats ? data : Arrays.copyOf(data, (int) (floats - off)), off);
        }
        return buffer;
    }

    private static double median(DeviceContext c, Runnable launch) {
        launch.run();
        launch.run();
        CUevent[] e = new CUevent[REPS + 1];
        for (int i = 0; i <= REPS; i++) {
            e[i] = new CUevent();
            cuEventCreate(e[i], CUevent_flags.CU_EVENT_DEFAULT);
        }
        cuEventRecord(e[0], c.stream());
        for (int i = 0; i < REPS; i++) {
            launch.run();
            cuEventRecord(e[i + 1], c.stream());
        }
        cuEventSynchronize(e[REPS]);
        float[] ms = new float[REPS];
        float[] one = new float[1];
        for (int i = 0; i < REPS; i++) {
            cuEventElapsedTime(one, e[i], e[i + 1]);
            ms[i] = one[0];
        }
        for (CUevent ev : e) {
            cuEventDestroy(ev);
        }
        Arrays.sort(ms);
        return ms[REPS / 2];
    }
}
