package io.hps.dense.gpu;

import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuAvailability;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.bench.SeededWeights;
import io.hps.gpu.dense.GemmPrecision;
import io.hps.gpu.table.SeededRows;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.gen.GeneratorSettings;
import io.hps.model.workload.Batch;
import io.hps.model.workload.WorkloadGenerator;
import io.hps.model.workload.WorkloadSettings;
import io.hps.tier.HashMapTier;
import io.hps.tier.HashMapTierSettings;
import io.hps.transport.Endpoints;
import io.hps.transport.gpu.EnsembleOptions;
import io.hps.transport.gpu.HopLog;
import io.hps.transport.gpu.IpcLookupServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The seed benchmark's three columns on one GPU: native (static device table), fused (device cache in front of an
 * in-process hash map tier) and ensemble (a lookup server in a second JVM, embeddings passed by CUDA IPC handle over
 * RSocket on shared memory or loopback TCP: {@code --transports shm,tcp} gives one ensemble column each). The model is
 * the synthetic FL=15 DLRM of {@code SyntheticModelGenerator}: its embedding rows are computed from the generator's
 * seeds straight into the device tables and the tier ({@link SeededRows}); the dense weights are {@link SeededWeights}.
 * Keys follow {@link WorkloadGenerator}'s Zipf workload.
 *
 * <p>Latency is server-side, one request at a time: from keys and dense features in host arrays to scores in a host
 * array (median over the timed requests); throughput = batch / median latency. Before the sweep each path's scores of
 * a 64-sample batch are checked against {@code ReferenceDlrm}.
 *
 * <p>The ensemble's requests are stamped at each hop ({@link HopLog}); the median of each hop is printed per batch
 * size. {@code --device-wait false} makes the ensemble client synchronise before it sends instead of letting the
 * server wait for its key upload on the device; {@code --loop-spin-micros 0} keeps reactor-netty's sleeping event
 * loops on both sides ({@link EnsembleOptions}); {@code --device-reply false} makes the lookup server synchronise
 * its stream before it answers instead of answering with a ready event ({@link IpcLookupServer}); {@code --paths}
 * picks the columns.
 *
 * <p>Command line: {@code [--scale 1.0] [--seed 42] [--precision TF32] [--batches 32,64,...]
 * [--paths native,fused,ensemble] [--transports shm] [--device-wait true] [--device-reply true]
 * [--bottom-during-lookup true] [--loop-spin-micros 2000] [--warm-up REQUESTS] [--out DIR]}. {@code --warm-up} is
 * the number of requests of the first batch size each path serves before its sweep (default three times that
 * size's timed requests).
 */
public final class GpuPathsBench {

    private static final int[] BATCHES = {32, 64, 256, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072};
    private static final int CHECK_SAMPLES = 64;
    private static final String MODEL = "dlrm";
    /** Requests of the first batch size before its own warm-up, in units of its timed requests: JIT warm-up. */
    private static final int FIRST_WARM_UP_FACTOR = 3;

    private final Map<String, String> options;
    private final DlrmArchitecture arch;
    private final DlrmWeights weights;
    private final SeededRows rows;
    private final int[] batches;
    private final GpuPathConfig config;
    private final Map<Integer, List<Batch>> workload = new LinkedHashMap<>();
    private final Map<String, double[]> latencyMs = new LinkedHashMap<>();
    private final StringBuilder log = new StringBuilder();
    private final Path shmSocket = Path.of(System.getProperty("java.io.tmpdir"),
            "hps-gpu-lookup-" + ProcessHandle.current().pid() + ".sock");
    private Batch checkBatch;
    private ReferenceCheck reference;

    private GpuPathsBench(Map<String, String> options) {
        this.options = options;
        long seed = Long.parseLong(options.getOrDefault("--seed", "42"));
        double scale = Double.parseDouble(options.getOrDefault("--scale", "1.0"));
        this.batches = options.containsKey("--batches")
                ? Arrays.stream(options.get("--batches").split(",")).mapToInt(Integer::parseInt).toArray()
                : BATCHES;
        int maxBatch = Arrays.stream(batches).max().orElseThrow();
        this.arch = new GeneratorSettings(Path.of("."), MODEL, scale, 128, seed, 1, maxBatch).architecture();
        this.weights = SeededWeights.create(arch, seed);
        this.rows = new SeededRows(arch.tables(), seed);
        this.config = new GpuPathConfig(maxBatch,
                GemmPrecision.valueOf(options.getOrDefault("--precision", "TF32")));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        GpuAvailability availability = GpuRuntime.availability();
        if (!availability.available()) {
            System.out.println("GPU unavailable: " + availability.reason());
            return;
        }
        new GpuPathsBench(options).run();
        GpuRuntime.shutdown();
    }

    private void run() throws Exception {
        DeviceOwner owner = GpuRuntime.device(0);
        say("device: " + owner.name() + " model rows=" + GpuFusedPath.rows(arch.tables()) + " precision="
                + config.precision() + " max batch=" + config.maxBatchSize());
        List<String> paths = List.of(options.getOrDefault("--paths", "native,fused,ensemble").split(","));
        Process server = paths.contains("ensemble") ? startServer() : null;
        prepareWorkload();
        long t0 = System.nanoTime();
        if (paths.contains("native")) {
            try (GpuPath path = GpuNativePath.load(owner, weights, rows, config).join()) {
                say("native: table loaded in %.1f s", seconds(t0));
                sweep("native", path, null, null);
            }
        }
        if (paths.contains("fused")) {
            sweepFused(owner);
        }
        if (server != null) {
            sweepEnsemble(owner, server);
        }
        printTables();
    }

    private void sweepFused(DeviceOwner owner) throws Exception {
        long t0 = System.nanoTime();
        try (HashMapTier tier = new HashMapTier(new HashMapTierSettings(64, Integer.MAX_VALUE,
                HashMapTierSettings.DEFAULTS.overflowPolicy(), 0.8, 64L << 20))) {
            long loaded = TierLoad.load(tier, MODEL, arch.tables(), rows);
            say("fused: tier loaded rows=%d in %.1f s", loaded, seconds(t0));
            try (GpuFusedPath path = GpuFusedPath.load(owner, weights, tier, MODEL,
                    GpuFusedPath.rows(arch.tables()), config).join()) {
                sweep("fused", path, () -> String.format(Locale.ROOT, "lookups=%d misses=%d", path.lookups(),
                        path.misses()), null);
            }
        }
    }

    /** One ensemble column per transport ({@code --transports}, shared memory first by default). */
    private void sweepEnsemble(DeviceOwner owner, Process server) throws Exception {
        int port = awaitReady(server);
        EnsembleOptions ensemble = ensembleOptions();
        List<String> transports = transports();
        try {
            for (String transport : transports) {
                SocketAddress address = transport.equals("shm") ? UnixDomainSocketAddress.of(shmSocket)
                        : new InetSocketAddress("127.0.0.1", port);
                String name = transports.size() == 1 ? "ensemble" : "ensemble " + transport;
                try (GpuEnsemblePath path = GpuEnsemblePath.connect(owner, weights, config, address, ensemble)
                        .join()) {
                    say("%s: server ready at %s %s owner spin=%sus client spinning loop=%s", name,
                            Endpoints.format(address), ensemble, System.getProperty(DeviceOwner.SPIN_MICROS_PROPERTY,
                                    Long.toString(DeviceOwner.DEFAULT_SPIN_MICROS)), path.spinningEventLoop());
                    sweep(name, path, () -> "opened peer buffers=" + path.openedBuffers().join(), path.hops());
                }
            }
        } finally {
            server.getOutputStream().close();
            server.waitFor();
            Files.deleteIfExists(shmSocket);
        }
    }

    private List<String> transports() {
        List<String> transports = List.of(options.getOrDefault("--transports", "shm").split(","));
        for (String t : transports) {
            if (!t.equals("shm") && !t.equals("tcp")) {
                throw new IllegalArgumentException("--transports takes shm and tcp: " + t);
            }
        }
        return transports;
    }

    private EnsembleOptions ensembleOptions() {
        return new EnsembleOptions(Boolean.parseBoolean(options.getOrDefault("--device-wait", "true")),
                Long.parseLong(options.getOrDefault("--loop-spin-micros",
                        Long.toString(EnsembleOptions.DEFAULTS.eventLoopSpinMicros()))),
                Boolean.parseBoolean(options.getOrDefault("--bottom-during-lookup", "true")));
    }

    private Process startServer() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), IpcLookupServer.class.getName(),
                "--scale", options.getOrDefault("--scale", "1.0"), "--seed", options.getOrDefault("--seed", "42"),
                "--max-batch", Integer.toString(config.maxBatchSize()), "--pool", "2", "--loop-spin-micros",
                Long.toString(ensembleOptions().eventLoopSpinMicros()), "--device-reply",
                options.getOrDefault("--device-reply", "true"), "--shm-socket", shmSocket.toString()));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int awaitReady(Process server) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("ready port=")) {
                System.out.println("ensemble server: " + line);
                return Integer.parseInt(line.substring("ready port=".length()).split(" ")[0]);
            }
        }
        throw new IOException("lookup server exited before it was ready: exit=" + server.exitValue());
    }

    private void prepareWorkload() {
        long t0 = System.nanoTime();
        WorkloadGenerator generator = WorkloadGenerator.forArchitecture(arch,
                WorkloadSettings.zipf(Long.parseLong(options.getOrDefault("--seed", "42")) + 1));
        long first = 0;
        for (int b : batches) {
            List<Batch> list = new ArrayList<>();
            for (int i = 0; i < distinctBatches(b); i++) {
                list.add(samples(generator, first, b));
                first += b;
            }
            workload.put(b, list);
        }
        checkBatch = generator.samples(first, CHECK_SAMPLES);
        reference = ReferenceCheck.of(weights, rows, checkBatch);
        say("workload: %d batch sizes, reference scores in %.1f s", batches.length, seconds(t0));
    }

    /** Samples {@code [first, first + count)} of the workload, generated by several threads. */
    private Batch samples(WorkloadGenerator generator, long first, int count) {
        int slice = 4096;
        int tables = arch.tableCount();
        int dense = arch.denseFeatures();
        float[] denseOut = new float[count * dense];
        long[] keysOut = new long[count * tables];
        IntStream.range(0, Math.ceilDiv(count, slice)).parallel().forEach(s -> {
            int n = Math.min(slice, count - s * slice);
            Batch part = generator.samples(first + (long) s * slice, n);
            System.arraycopy(part.dense(), 0, denseOut, s * slice * dense, n * dense);
            System.arraycopy(part.keys(), 0, keysOut, s * slice * tables, n * tables);
        });
        return new Batch(count, denseOut, keysOut);
    }

    private static int distinctBatches(int batch) {
        return Math.max(2, Math.min(8, 262144 / batch));
    }

    private static int iterations(int batch) {
        return Math.max(12, Math.min(400, 4_000_000 / batch));
    }

    private void sweep(String name, GpuPath path, Supplier<String> counters, HopLog hops) {
        double error = reference.relativeError(path.score(checkBatch).join());
        say("%s: scores vs ReferenceDlrm relative error %.2e (%s)", name, error,
                error < (config.precision() == GemmPrecision.TF32 ? 2e-3 : 1e-5) ? "within tolerance" : "OUT OF TOLERANCE");
        List<Batch> first = workload.get(batches[0]);
        int warmUp = Integer.parseInt(options.getOrDefault("--warm-up",
                Integer.toString(FIRST_WARM_UP_FACTOR * iterations(batches[0]))));
        for (int w = 0; w < warmUp; w++) {
            path.score(first.get(w % first.size())).join();
        }
        double[] medians = new double[batches.length];
        for (int i = 0; i < batches.length; i++) {
            List<Batch> list = workload.get(batches[i]);
            int n = iterations(batches[i]);
            for (int w = 0; w < Math.max(list.size(), n / 5); w++) {
                path.score(list.get(w % list.size())).join();
            }
            String before = counters == null ? "" : counters.get();
            double[] ms = new double[n];
            if (hops != null) {
                hops.record(n);
            }
            for (int k = 0; k < n; k++) {
                Batch b = list.get(k % list.size());
                long s = System.nanoTime();
                path.score(b).join();
                ms[k] = (System.nanoTime() - s) / 1e6;
                if (hops != null) {
                    hops.returned();
                }
            }
            Arrays.sort(ms);
            medians[i] = ms[n / 2];
            say("%s batch=%d median=%.3f ms p99=%.3f ms samples/s=%.3e %s%s", name, batches[i], medians[i],
                    ms[Math.min(n - 1, (int) (n * 0.99))], batches[i] / medians[i] * 1e3,
                    before.isEmpty() ? "" : "before: " + before + " after: ", counters == null ? "" : counters.get());
            if (hops != null) {
                say("%s batch=%d hops (median): %s", name, batches[i], hops.summary());
            }
        }
        latencyMs.put(name, medians);
    }

    private void printTables() throws IOException {
        StringBuilder t = new StringBuilder();
        List<String> names = new ArrayList<>(latencyMs.keySet());
        t.append("| batch |");
        names.forEach(n -> t.append(' ').append(n).append(" (ms) |"));
        List<String> ratios = latencyMs.containsKey("fused")
                ? names.stream().filter(n -> n.startsWith("ensemble")).toList() : List.of();
        ratios.forEach(n -> t.append(' ').append(n).append(" / fused |"));
        t.append("\n|---:|").append("---:|".repeat(names.size() + ratios.size())).append('\n');
        for (int i = 0; i < batches.length; i++) {
            t.append("| ").append(batches[i]).append(" |");
            for (String n : names) {
                t.append(String.format(Locale.ROOT, " %.3f |", latencyMs.get(n)[i]));
            }
            for (String n : ratios) {
                t.append(String.format(Locale.ROOT, " %.2f |", latencyMs.get(n)[i] / latencyMs.get("fused")[i]));
            }
            t.append('\n');
        }
        t.append("\n| batch |");
        names.forEach(n -> t.append(' ').append(n).append(" (samples/s) |"));
        t.append("\n|---:|").append("---:|".repeat(names.size())).append('\n');
        for (int i = 0; i < batches.length; i++) {
            t.append("| ").append(batches[i]).append(" |");
            for (String n : names) {
                t.append(String.format(Locale.ROOT, " %.3e |", batches[i] / latencyMs.get(n)[i] * 1e3));
            }
            t.append('\n');
        }
        say("%s", t);
        String out = options.get("--out");
        if (out != null) {
            Files.createDirectories(Path.of(out));
            Files.writeString(Path.of(out, "gpu-paths.md"), log);
        }
    }

    private void say(String format, Object... args) {
        String line = args.length == 0 ? format : String.format(Locale.ROOT, format, args);
        System.out.println(line);
        System.out.flush();
        log.append(line).append('\n');
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
