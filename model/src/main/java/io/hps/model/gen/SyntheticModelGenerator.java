package io.hps.model.gen;

import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.dense.DlrmWeightsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Writes a synthetic DLRM with the Criteo 1TB (FL=15) shape, initialised as the MLPerf DLRM, for
 * benchmarks and tests. Layout of the model directory:
 * <pre>
 * DIR/model.json          model description (tables, MLP widths, file names, generator settings)
 * DIR/ps.json             HugeCTR HPS configuration for the model (paths relative to DIR)
 * DIR/dense.safetensors   dense weights, see {@link DlrmWeightsFile}
 * DIR/sparse/&lt;table&gt;/key, emb_vector   HugeCTR sparse tables, keys 0..rows-1 in row order
 * </pre>
 * The output is a function of the settings other than {@code threads}: the same seed gives
 * byte-identical files whatever the thread count. Embedding rows stream to disk in fixed-size chunks
 * with bounded memory (see {@link EmbeddingWriteJob}); all given threads generate and write.
 *
 * <p>Command line: {@code --out DIR [--name dlrm] [--scale 0.001] [--dim 128] [--seed 42]
 * [--threads N] [--max-batch-size 16384]}; progress on stderr, one summary line on stdout.
 */
@Command(name = "generate-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Writes a synthetic Criteo-shaped DLRM (HugeCTR sparse tables, safetensors dense weights, "
                + "model.json, ps.json).")
public final class SyntheticModelGenerator implements Callable<Integer> {

    /** Model description file name. */
    public static final String MODEL_JSON = "model.json";
    /** HugeCTR HPS configuration file name. */
    public static final String PS_JSON = "ps.json";
    /** Dense weights file name. */
    public static final String DENSE_WEIGHTS = "dense.safetensors";

    @Spec
    private CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "model directory to write")
    private Path out;

    @Option(names = "--name", defaultValue = "dlrm", description = "model name (default: ${DEFAULT-VALUE})")
    private String name;

    @Option(names = "--scale", defaultValue = "0.001",
            description = "fraction of the Criteo FL=15 cardinalities, (0, 1] (default: ${DEFAULT-VALUE})")
    private double scale;

    @Option(names = "--dim", defaultValue = "128", description = "embedding dimension (default: ${DEFAULT-VALUE})")
    private int dimension;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--threads", description = "worker threads (default: all cores, ${DEFAULT-VALUE})")
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--max-batch-size", defaultValue = "16384",
            description = "max batch size written to model.json and ps.json (default: ${DEFAULT-VALUE})")
    private int maxBatchSize;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SyntheticModelGenerator()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        GenerationResult r = generate(settings(), new ConsoleProgressBar(spec.commandLine().getErr()));
        spec.commandLine().getOut().println(String.format(Locale.ROOT,
                "generated model=%s dir=%s tables=%d rows=%d bytes=%d seconds=%.1f", name, r.modelDirectory(),
                r.architecture().tableCount(), r.rows(), r.bytes(), r.elapsed().toMillis() / 1000.0));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private GeneratorSettings settings() {
        try {
            return new GeneratorSettings(out, name, scale, dimension, seed, threads, maxBatchSize);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * Generates the model described by {@code settings}, reporting to {@code listener} on the calling
     * thread (see {@link ProgressListener}). Blocks until every file is written.
     *
     * @throws IOException when a file cannot be written; files written so far are left in place
     */
    public static GenerationResult generate(GeneratorSettings settings, ProgressListener listener) throws IOException {
        long start = System.nanoTime();
        DlrmArchitecture architecture = settings.architecture();
        Path dir = Files.createDirectories(settings.outputDirectory());
        DlrmWeights dense = DenseInitializer.initialise(architecture, settings.seed());
        long total = EmbeddingWriteJob.bytes(architecture.tables()) + parameterBytes(dense);
        AtomicLong written = new AtomicLong();
        Runnable tick = () -> listener.onProgress(new GenerationProgress(written.get(), total, since(start)));

        DlrmWeightsFile.save(dense, dir.resolve(DENSE_WEIGHTS));
        written.addAndGet(parameterBytes(dense));
        tick.run();
        List<Path> tableDirs = architecture.tables().stream().map(t -> dir.resolve(ModelDescriptors.sparseFile(t))).toList();
        EmbeddingWriteJob.run(architecture.tables(), tableDirs, settings.seed(), settings.threads(), written, tick);
        ModelDescriptors.write(settings, architecture);
        tick.run();
        long rows = architecture.tables().stream().mapToLong(TableSpec::rows).sum();
        return new GenerationResult(dir, architecture, rows, total, since(start));
    }

    private static long parameterBytes(DlrmWeights weights) {
        return Stream.concat(weights.bottom().stream(), weights.top().stream())
                .mapToLong(l -> (long) Float.BYTES * (l.weight().length + l.bias().length)).sum();
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
