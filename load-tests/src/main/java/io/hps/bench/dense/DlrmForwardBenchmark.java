package io.hps.bench.dense;

import io.hps.dense.cpu.DlrmNetwork;
import io.hps.model.CriteoTables;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the Criteo-shape DLRM dense forward on the CPU: the Vector API network against
 * the scalar baseline, both on {@code threads} worker threads, in one run. A score is batches per
 * second; samples per second is the score times {@code batch}. The network is warmed up as a
 * service would before reporting ready; the baseline gets the JMH warm-up iterations.
 *
 * <p>Run: {@code ./mvnw -pl load-tests -am package -DskipTests && java --add-modules
 * jdk.incubator.vector -jar load-tests/target/benchmarks.jar DlrmForward -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx4g"})
public class DlrmForwardBenchmark {

    @Param({"256", "1024", "4096"})
    int batch;

    @Param("2")
    int threads;

    private DlrmNetwork network;
    private ScalarDlrm baseline;
    private float[] dense;
    private float[] embeddings;
    private float[] out;
    private Arena arena;
    private MemorySegment denseSegment;
    private MemorySegment embeddingSegment;

    @Setup(Level.Trial)
    public void setUp() {
        DlrmArchitecture arch = DlrmArchitecture.criteo(CriteoTables.fl15(1e-3, 128));
        SplittableRandom random = new SplittableRandom(42);
        DlrmWeights weights = new DlrmWeights(arch, layers(arch.denseFeatures(), arch.bottomMlp(), random),
                layers(arch.topInputWidth(), arch.topMlp(), random));
        network = DlrmNetwork.load(weights, threads);
        network.warmUp(Duration.ofSeconds(10));
        baseline = new ScalarDlrm(weights, threads);
        dense = uniform(random, batch * arch.denseFeatures(), 4f);
        embeddings = uniform(random, batch * arch.tableCount() * arch.embeddingDimension(), 0.5f);
        out = new float[batch];
        arena = Arena.ofShared();
        denseSegment = arena.allocate((long) dense.length * Float.BYTES, 64);
        MemorySegment.copy(MemorySegment.ofArray(dense), 0, denseSegment, 0, denseSegment.byteSize());
        embeddingSegment = arena.allocate((long) embeddings.length * Float.BYTES, 64);
        MemorySegment.copy(MemorySegment.ofArray(embeddings), 0, embeddingSegment, 0, embeddingSegment.byteSize());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        network.close();
        baseline.close();
        arena.close();
    }

    @Benchmark
    public float[] vectorApi() {
        network.forward(batch, dense, embeddings, out);
        return out;
    }

    /** The same forward over off-heap inputs, as the services call it (embeddings gathered into direct memory). */
    @Benchmark
    public float[] vectorApiOffHeap() {
        network.forward(batch, denseSegment, embeddingSegment, out);
        return out;
    }

    @Benchmark
    public float[] scalarBaseline() throws Exception {
        baseline.forward(batch, dense, embeddings, out);
        return out;
    }

    private static List<DenseLayer> layers(int inputs, int[] widths, SplittableRandom random) {
        List<DenseLayer> layers = new ArrayList<>();
        int in = inputs;
        for (int width : widths) {
            float bound = (float) (1.0 / Math.sqrt(in));
            layers.add(new DenseLayer(in, width, uniform(random, in * width, bound), uniform(random, width, bound)));
            in = width;
        }
        return layers;
    }

    private static float[] uniform(SplittableRandom random, int n, float bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(-bound, bound);
        }
        return a;
    }
}
