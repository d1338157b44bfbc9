package io.hps.gpu.bench;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuAvailability;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.dense.GemmPrecision;
import io.hps.gpu.dense.GpuDlrm;
import io.hps.gpu.dense.GpuDlrmConfig;
import io.hps.model.CriteoTables;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.reference.ReferenceDlrm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Dense forward benchmark on one GPU, Criteo shape, seeded random weights and random inputs already in device
 * memory (the fused path's situation). For each precision and batch size: median device time per forward between
 * CUDA events over back-to-back forwards (inputs rotated through a 1.7 GB region so large batches do not run
 * from L2), samples/s, achieved TFLOP/s by {@link DlrmArchitecture#flopsPerSample()}, and the median latency of
 * one forward enqueued and synchronised alone. Also a device-to-device copy as the memory ceiling and the
 * accuracy of each precision against {@link ReferenceDlrm} on 512 samples.
 *
 * <p>Usage: {@code GpuDenseBench [--out DIR]}; writes {@code dense-bench.tsv} there and prints a table.
 */
public final class GpuDenseBench {

    private static final int[] BATCHES = {32, 1024, 16384, 131072};
    private static final int MAX_BATCH = 131072;
    private static final int ACCURACY_SAMPLES = 512;
    private static final long SEED = 20261126L;

    private GpuDenseBench() {
    }

    record Row(String precision, int batch, double medianMs, double p10Ms, double p90Ms, double latencyMs,
               double samplesPerSecond, double tflops) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length >= 2 && args[0].equals("--out") ? args[1] : "bench-out");
        Files.createDirectories(out);
        GpuAvailability availability = GpuRuntime.availability();
        System.out.println("availability: " + availability);
        if (!availability.available()) {
            System.exit(2);
        }
        DeviceOwner owner = GpuRuntime.device(0);
        DlrmArchitecture arch = DlrmArchitecture.criteo(CriteoTables.fl15(1.0, 128));
        DlrmWeights weights = SeededWeights.create(arch, SEED);
        System.out.println("device: " + owner.name() + ", flops/sample=" + arch.flopsPerSample());
        double copyGbps = owner.submit(GpuDenseBench::copyBandwidth).join();
        System.out.printf(Locale.ROOT, "device-to-device copy: %.0f GB/s (read + write)%n", copyGbps);

        Inputs inputs = owner.submit(c -> Inputs.create(c, arch)).join();
        List<Row> rows = new ArrayList<>();
        List<String> accuracy = new ArrayList<>();
        for (GemmPrecision precision : GemmPrecision.values()) {
            GpuDlrm model = GpuDlrm.load(owner, weights, new GpuDlrmConfig(MAX_BATCH, precision)).join();
            accuracy.add(precision + " " + accuracy(model, weights, arch));
            for (int batch : BATCHES) {
                Row r = owner.submit(c -> time(c, model, inputs, precision, batch, arch.flopsPerSample())).join();
                rows.add(r);
                System.out.println(r);
            }
            model.close();
        }
        owner.submit(c -> {
            inputs.close();
            return null;
        }).join();
        report(out, owner.name(), copyGbps, rows, accuracy);
        GpuRuntime.shutdown();
    }

    private static double copyBandwidth(DeviceContext c) {
        long bytes = 1L << 30;
        try (DeviceBuffer a = c.allocate(bytes); DeviceBuffer b = c.allocate(bytes)) {
            a.fillAsync(1.5f, bytes / 4);
            int reps = 20;
            float[] ms = new float[reps];
            for (int i = 0; i < reps; i++) {
                var t = c.timer();
                t.start();
                cuMemcpyDtoDAsync(b.pointer(), a.pointer(), bytes, c.stream());
                t.stop();
                ms[i] = t.elapsedMillis();
                t.close();
            }
            Arrays.sort(ms);
            return 2.0 * bytes / (ms[reps / 2] * 1e-3) / 1e9;
        }
    }

    /** Random dense features U(0, 1) and embeddings U(-0.5, 0.5) for MAX_BATCH samples, on the device. */
    record Inputs(DeviceBuffer dense, DeviceBuffer embeddings) implements AutoCloseable {

        static Inputs create(DeviceContext c, DlrmArchitecture arch) {
            SplittableRandom random = new SplittableRandom(SEED + 1);
            int d = arch.denseFeatures();
            int e = arch.tableCount() * arch.embeddingDimension();
            float[] dense = SeededWeights.uniform(random, MAX_BATCH * d, 0.0, 1.0);
            DeviceBuffer denseBuffer = c.allocate((long) MAX_BATCH * d * Float.BYTES);
            denseBuffer.write(dense, 0);
            DeviceBuffer embeddings = c.allocate((long) MAX_BATCH * e * Float.BYTES);
            int chunkSamples = 4096;
            for (int s = 0; s < MAX_BATCH; s += chunkSamples) {
                float[] chunk = SeededWeights.uniform(random, chunkSamples * e, -0.5, 0.5);
                embeddings.write(chunk, (long) s * e);
            }
            return new Inputs(denseBuffer, embeddings);
        }

        @Override
        public void close() {
            dense.close();
            embeddings.close();
        }
    }

    private static String accuracy(GpuDlrm model, DlrmWeights weights, DlrmArchitecture arch) {
        float[] gpu = model.score(ACCURACY_SAMPLES, inputsDense(arch), inputsEmbeddings(arch)).join();
        double[] ref = new ReferenceDlrm(weights).forward(ACCURACY_SAMPLES, inputsDense(arch), inputsEmbeddings(arch));
        double num = 0;
        double den = 0;
        for (int i = 0; i < gpu.length; i++) {
            double diff = gpu[i] - ref[i];
            num += diff * diff;
            den += ref[i] * ref[i];
        }
        return String.format(Locale.ROOT, "score relative norm error vs float64 reference (%d samples): %.3e",
                ACCURACY_SAMPLES, Math.sqrt(num / den));
    }

    private static float[] inputsDense(DlrmArchitecture arch) {
        return SeededWeights.uniform(new SplittableRandom(SEED + 7), ACCURACY_SAMPLES * arch.denseFeatures(), 0, 1);
    }

    private static float[] inputsEmbeddings(DlrmArchitecture arch) {
        return SeededWeights.uniform(new SplittableRandom(SEED + 8),
                ACCURACY_SAMPLES * arch.tableCount() * arch.embeddingDimension(), -0.5, 0.5);
    }

    private static Row time(DeviceContext c, GpuDlrm model, Inputs in, GemmPrecision precision, int batch,
                            long flopsPerSample) {
        int sets = MAX_BATCH / batch;
        int reps = batch >= 131072 ? 30 : batch >= 16384 ? 60 : 300;
        int warmup = Math.max(5, reps / 10);
        long denseStride = (long) batch * 13 * Float.BYTES;
        long embStride = (long) batch * 26 * 128 * Float.BYTES;
        for (int i = 0; i < warmup; i++) {
            model.enqueueForward(c, batch, in.dense().pointer(), in.embeddings().pointer());
        }
        c.synchronize();
        CUevent[] events = new CUevent[reps + 1];
        for (int i = 0; i <= reps; i++) {
            events[i] = new CUevent();
            cuEventCreate(events[i], CUevent_flags.CU_EVENT_DEFAULT);
        }
        cuEventRecord(events[0], c.stream());
        for (int i = 0; i < reps; i++) {
            int set = i % sets;
            model.enqueueForward(c, batch, in.dense().pointer(set * denseStride), in.embeddings().pointer(set * embStride));
            cuEventRecord(events[i + 1], c.stream());
        }
        cuEventSynchronize(events[reps]);
        float[] ms = new float[reps];
        float[] one = new float[1];
        for (int i = 0; i < reps; i++) {
            cuEventElapsedTime(one, events[i], events[i + 1]);
            ms[i] = one[0];
        }
        for (CUevent e : events) {
            cuEventDestroy(e);
        }
        Arrays.sort(ms);
        double median = ms[reps / 2];
        double latency = latency(c, model, in, batch, Math.min(reps, 100));
        double samples = batch / (median * 1e-3);
        return new Row(precision.name(), batch, median, ms[reps / 10], ms[reps * 9 / 10], latency, samples,
                samples * flopsPerSample / 1e12);
    }

    /** Median wall time of enqueue + synchronise of a single forward, milliseconds. */
    private static double latency(DeviceContext c, GpuDlrm model, Inputs in, int batch, int reps) {
        long[] ns = new long[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            model.enqueueForward(c, batch, in.dense().pointer(), in.embeddings().pointer());
            c.synchronize();
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        return ns[reps / 2] / 1e6;
    }

    private static void report(Path out, String device, double copyGbps, List<Row> rows, List<String> accuracy)
            throws IOException {
        StringBuilder tsv = new StringBuilder("precision\tbatch\tmedian_ms\tp10_ms\tp90_ms\tlatency_ms\tsamples_per_s\ttflops\n");
        for (Row r : rows) {
            tsv.append(String.format(Locale.ROOT, "%s\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.0f\t%.2f%n", r.precision(), r.batch(),
                    r.medianMs(), r.p10Ms(), r.p90Ms(), r.latencyMs(), r.samplesPerSecond(), r.tflops()));
        }
        Files.writeString(out.resolve("dense-bench.tsv"), tsv);
        System.out.println();
        System.out.println("device: " + device);
        System.out.printf(Locale.ROOT, "d2d copy: %.0f GB/s%n", copyGbps);
        accuracy.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "%-5s %7s %10s %10s %10s %12s %8s%n", "prec", "batch", "median_ms", "p90_ms",
                "lat_ms", "samples/s", "TFLOP/s");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-5s %7d %10.4f %10.4f %10.4f %12.3e %8.2f%n", r.precision(), r.batch(),
                    r.medianMs(), r.p90Ms(), r.latencyMs(), r.samplesPerSecond(), r.tflops());
        }
    }
}
