package io.hps.bench.paths;

import io.hps.dense.path.PathKind;
import io.hps.dense.path.PathSettings;
import io.hps.dense.path.ScoringPath;
import io.hps.dense.path.ScoringPaths;
import io.hps.model.DlrmArchitecture;
import io.hps.model.config.ModelDirectory;
import io.hps.model.gen.GeneratorSettings;
import io.hps.model.gen.ProgressListener;
import io.hps.model.gen.SyntheticModelGenerator;
import io.hps.model.workload.Batch;
import io.hps.model.workload.WorkloadGenerator;
import io.hps.model.workload.WorkloadSettings;
import io.hps.store.HpsSettings;
import io.hps.store.LoadProgress;
import io.hps.store.ParameterServer;
import io.hps.transport.Endpoints;
import io.hps.transport.LookupClient;
import io.hps.transport.LookupServer;
import io.hps.wire.VectorDtype;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latency and throughput of the native, fused and ensemble scoring paths over one model, side
 * by side: for each batch size the paths take turns call by call (one request at a time from this
 * thread, the order rotated every turn, for about {@code --seconds} per path and at least six
 * turns), so that the machine's load affects them alike and the ensemble/fused ratio is
 * measured under the same conditions. The
 * ensemble path talks to an hps-service lookup server in this process over TCP on loopback or, for
 * the variants ending in {@code -shm}, over shared memory (same ps.json as the fused path), once with float32 table-major vectors and once with fp16
 * unique vectors plus an inverse index. Keys follow a Zipf law (s = 1.05) over each table.
 *
 * <p>Run: {@code ./mvnw -pl load-tests -am package -DskipTests && java --add-modules
 * jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx3g -cp load-tests/target/benchmarks.jar
 * io.hps.bench.paths.PathsBenchmark [--batches=32,128,...] [--seconds=6]
 * [--paths=native,fused,ensemble,ensemble-f16-u]
 * [--threads=N] [--scale=0.001] [--dimension=128] [--model-dir=DIR] [--inline-keys=4096]}. Prints a Markdown
 * table. {@code --inline-keys} is the lookup server's {@code hps.lookup.inline-keys} (0: every lookup on a worker).
 */
public final class PathsBenchmark {
    private static final int MAX_BATCH = 16384;
    private static final int DISTINCT_BATCHES = 4;
    private static final int MIN_TURNS = 6;

    private PathsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int[] batches = Arrays.stream(o.getOrDefault("batches", "32,128,512,2048,8192,16384").split(","))
                .mapToInt(Integer::parseInt).toArray();
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "6"));
        int threads = Integer.parseInt(o.getOrDefault("threads",
                String.valueOf(Runtime.getRuntime().availableProcessors())));
        ModelDirectory dir = model(o);
        System.out.printf("model=%s architecture=%s threads=%d loadavg=%s%n", dir.directory(), dir.architecture(),
                threads, loadAverage());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ParameterServer hps = ParameterServer.create(dir.psConfig(), HpsSettings.DEFAULTS, registry)) {
            hps.load(LoadProgress.NONE).get();
            int inlineKeys = Integer.parseInt(o.getOrDefault("inline-keys",
                    String.valueOf(LookupServer.DEFAULT_INLINE_KEYS)));
            Path socket = Files.createTempDirectory("hps-paths").resolve("lookup.sock");
            LookupServer server = LookupServer.start(hps, "127.0.0.1", 0, threads, 256, 64 << 20, inlineKeys,
                    socket, registry);
            LookupClient client = LookupClient.connect(List.of(new InetSocketAddress("127.0.0.1", server.port())),
                    Duration.ofSeconds(60), Duration.ofSeconds(5));
            LookupClient shmClient = LookupClient.connect(List.of(UnixDomainSocketAddress.of(socket)),
                    Duration.ofSeconds(60), Duration.ofSeconds(5));
            System.out.printf("lookup server: tcp port %d, shared memory %s (polling %d us)%n", server.port(), socket,
                    Endpoints.shmSettings().spinMicros());
            Map<String, ScoringPath> paths = paths(dir, o.getOrDefault("paths", "native,fused,ensemble,ensemble-f16-u"),
                    threads, registry, client, shmClient);
            try {
                run(paths, dir.architecture(), batches, seconds, registry);
            } finally {
                paths.values().forEach(ScoringPath::close);
                client.close();
                shmClient.close();
                server.close();
                Files.deleteIfExists(socket.getParent());
            }
        }
        System.out.printf("loadavg=%s%n", loadAverage());
    }

    /**
     * Opens the named variants: {@code native}, {@code fused}, and
     * {@code ensemble[-f16|-bf16][-u][-<MiB>m][-shm]} (dtype, unique vectors, largest response per lookup request
     * in MiB, lookups over shared memory instead of TCP; defaults float32, table-major,
     * {@link PathSettings#MAX_RESPONSE_BYTES}, TCP).
     */
    private static Map<String, ScoringPath> paths(ModelDirectory dir, String variants, int threads,
                                                  SimpleMeterRegistry registry, LookupClient client,
                                                  LookupClient shmClient) {
        Map<String, ScoringPath> paths = new LinkedHashMap<>();
        for (String name : variants.split(",")) {
            boolean shm = List.of(name.split("-")).contains("shm");
            paths.put(name, open(dir, name, threads, registry, shm ? shmClient : client));
        }
        return paths;
    }

    private static ScoringPath open(ModelDirectory dir, String name, int threads, SimpleMeterRegistry registry,
                                    LookupClient client) {
        List<String> parts = List.of(name.split("-"));
        PathKind kind = PathKind.valueOf(parts.getFirst().toUpperCase(java.util.Locale.ROOT));
        VectorDtype dtype = parts.contains("f16") ? VectorDtype.F16 : parts.contains("bf16") ? VectorDtype.BF16
                : VectorDtype.F32;
        long maxResponse = parts.stream().filter(p -> p.matches("\\d+m")).findFirst()
                .map(p -> (Long.parseLong(p.substring(0, p.length() - 1)) << 20) - (64 << 10))
                .orElse(PathSettings.MAX_RESPONSE_BYTES);
        PathSettings settings = new PathSettings(name, kind, threads, 1, 3000, dtype, parts.contains("u"), 60_000,
                maxResponse);
        return ScoringPaths.open(settings, dir, registry, client);
    }

    private static void run(Map<String, ScoringPath> paths, DlrmArchitecture a, int[] batches, double seconds,
                            SimpleMeterRegistry registry) {
        WorkloadGenerator workload = WorkloadGenerator.forArchitecture(a, WorkloadSettings.zipf(42));
        List<String> names = new ArrayList<>(paths.keySet());
        System.out.println();
        System.out.println("| batch | path | samples/s | p50 ms | p99 ms | lookup ms (mean) | network ms (mean) | calls"
                + " | ensemble/fused (mean) | ensemble/fused (p50) |");
        System.out.println("|------:|------|----------:|-------:|-------:|------:|------:|------:|------:|------:|");
        for (int batch : batches) {
            Input[] inputs = inputs(workload, batch);
            Map<String, Measure> measures = new LinkedHashMap<>();
            for (String name : names) {
                call(paths.get(name), inputs[0]);
            }
            names.forEach(n -> measures.put(n, new Measure(registry, n)));
            long end = System.nanoTime() + (long) (seconds * names.size() * 1e9);
            for (int turn = 0; turn < MIN_TURNS || System.nanoTime() < end; turn++) {
                for (int i = 0; i < names.size(); i++) {
                    String name = names.get((i + turn) % names.size());
                    measures.get(name).call(paths.get(name), inputs[turn % inputs.length]);
                }
            }
            Measure fused = measures.get("fused");
            for (String name : names) {
                Measure m = measures.get(name);
                String ratios = name.startsWith("ensemble") && fused != null
                        ? String.format("%.3f | %.3f", m.meanNanos() / fused.meanNanos(),
                        (double) m.histogram.getValueAtPercentile(50) / fused.histogram.getValueAtPercentile(50))
                        : " | ";
                System.out.printf("| %d | %s | %.0f | %.3f | %.3f | %.3f | %.3f | %d | %s |%n", batch, name,
                        batch * 1e9 / m.meanNanos(), m.histogram.getValueAtPercentile(50) / 1e6,
                        m.histogram.getValueAtPercentile(99) / 1e6, m.lookup.meanMillis(), m.compute.meanMillis(),
                        m.histogram.getTotalCount(), ratios);
            }
        }
    }

    private static void call(ScoringPath path, Input input) {
        path.score(input.batch, input.dense, input.keys, input.out);
    }

    private static Input[] inputs(WorkloadGenerator workload, int batch) {
        Input[] inputs = new Input[DISTINCT_BATCHES];
        for (int i = 0; i < inputs.length; i++) {
            Batch b = workload.batch(i, batch);
            Arena arena = Arena.ofAuto();
            MemorySegment dense = arena.allocate((long) b.dense().length * Float.BYTES, 64);
            MemorySegment keys = arena.allocate((long) b.keys().length * Long.BYTES, 64);
            MemorySegment.copy(b.dense(), 0, dense, ValueLayout.JAVA_FLOAT, 0, b.dense().length);
            MemorySegment.copy(b.keys(), 0, keys, ValueLayout.JAVA_LONG, 0, b.keys().length);
            inputs[i] = new Input(batch, dense, keys, new float[batch]);
        }
        return inputs;
    }

    private static ModelDirectory model(Map<String, String> o) throws IOException {
        if (o.containsKey("model-dir")) {
            return ModelDirectory.open(Path.of(o.get("model-dir")));
        }
        double scale = Double.parseDouble(o.getOrDefault("scale", "0.001"));
        int dimension = Integer.parseInt(o.getOrDefault("dimension", "128"));
        Path dir = Path.of("target", "bench-paths-model", scale + "-" + dimension);
        if (!Files.exists(dir.resolve(SyntheticModelGenerator.MODEL_JSON))) {
            SyntheticModelGenerator.generate(new GeneratorSettings(dir, "dlrm", scale, dimension, 42,
                    Runtime.getRuntime().availableProcessors(), MAX_BATCH), ProgressListener.NONE);
        }
        return ModelDirectory.open(dir);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("options are --name=value: arg=" + arg);
            }
            o.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        return o;
    }

    /** The mean of a path's timer since this object was made. */
    private static final class TimerDelta {
        private final Timer timer;
        private final long count;
        private final double totalMillis;

        TimerDelta(Timer timer) {
            this.timer = timer;
            this.count = timer.count();
            this.totalMillis = timer.totalTime(TimeUnit.MILLISECONDS);
        }

        double meanMillis() {
            long calls = timer.count() - count;
            return calls == 0 ? Double.NaN : (timer.totalTime(TimeUnit.MILLISECONDS) - totalMillis) / calls;
        }
    }

    /** One batch ready to score, in shared-arena segments. */
    private record Input(int batch, MemorySegment dense, MemorySegment keys, float[] out) {
    }

    /** Latencies of one path at one batch size. */
    private static final class Measure {
        final Histogram histogram = new Histogram(3_600_000_000_000L, 3);
        final TimerDelta lookup;
        final TimerDelta compute;
        long totalNanos;

        Measure(SimpleMeterRegistry registry, String name) {
            lookup = new TimerDelta(registry.get("dense.lookup.latency").tag("model", name).timer());
            compute = new TimerDelta(registry.get("dense.compute.latency").tag("model", name).timer());
        }

        void call(ScoringPath path, Input input) {
            long start = System.nanoTime();
            PathsBenchmark.call(path, input);
            long nanos = System.nanoTime() - start;
            histogram.recordValue(nanos);
            totalNanos += nanos;
        }

        double meanNanos() {
            return (double) totalNanos / histogram.getTotalCount();
        }
    }
}
