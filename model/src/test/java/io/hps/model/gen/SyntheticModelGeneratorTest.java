package io.hps.model.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.hps.model.CriteoTables;
import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.dense.DlrmWeightsFile;
import io.hps.model.sparse.SparseChunk;
import io.hps.model.sparse.SparseTable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SyntheticModelGeneratorTest {

    private static final ValueLayout.OfFloat FLOAT32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path shared;

    private static GenerationResult oneThread;
    private static GenerationResult twoThreads;
    private static final List<GenerationProgress> progress = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void generateScaleOneThousandthWithOneAndTwoThreads() throws IOException {
        oneThread = SyntheticModelGenerator.generate(settings(shared.resolve("one"), 0.001, 42, 1), progress::add);
        twoThreads = SyntheticModelGenerator.generate(settings(shared.resolve("two"), 0.001, 42, 2), ProgressListener.NONE);
    }

    private static GeneratorSettings settings(Path out, double scale, long seed, int threads) {
        return new GeneratorSettings(out, "dlrm", scale, 128, seed, threads, 16384);
    }

    @Test
    void shouldWriteByteIdenticalFilesWhateverTheThreadCount() throws IOException {
        List<Path> files = files(oneThread.modelDirectory());
        assertThat(files).hasSize(3 + 2 * 26);
        assertThat(files).extracting(Path::toString).contains("model.json", "ps.json", "dense.safetensors",
                "sparse/t0/key", "sparse/t0/emb_vector", "sparse/t25/emb_vector");
        assertThat(files(twoThreads.modelDirectory())).isEqualTo(files);
        for (Path f : files) {
            assertThat(Files.mismatch(oneThread.modelDirectory().resolve(f), twoThreads.modelDirectory().resolve(f)))
                    .as(f.toString()).isEqualTo(-1L);
        }
    }

    @Test
    void shouldDescribeTheScaledCriteoModel() {
        List<TableSpec> tables = CriteoTables.fl15(0.001, 128);
        assertThat(oneThread.architecture()).isEqualTo(DlrmArchitecture.criteo(tables));
        long rows = tables.stream().mapToLong(TableSpec::rows).sum();
        assertThat(oneThread.rows()).isEqualTo(rows);
        assertThat(oneThread.bytes()).isEqualTo(rows * (8 + 512) + 4L * denseParameters(oneThread.architecture()));
        assertThat(progress).isNotEmpty();
        assertThat(progress.getLast().bytesWritten()).isEqualTo(oneThread.bytes());
        assertThat(progress.getLast().fraction()).isEqualTo(1.0);
        assertThat(progress).extracting(GenerationProgress::bytesWritten).isSorted();
    }

    @Test
    void shouldWriteModelJsonWithTheAgreedFields() throws IOException {
        JsonNode model = JSON.readTree(oneThread.modelJson().toFile());
        assertThat(model.propertyNames()).containsExactly("format_version", "name", "dense_features", "bottom_mlp",
                "top_mlp", "interaction", "tables", "dense_weights", "hps_config", "max_batch_size", "generator");
        assertThat(model.get("format_version").intValue()).isEqualTo(1);
        assertThat(model.get("name").stringValue()).isEqualTo("dlrm");
        assertThat(model.get("dense_features").intValue()).isEqualTo(13);
        assertThat(model.get("bottom_mlp").toString()).isEqualTo("[512,256,128]");
        assertThat(model.get("top_mlp").toString()).isEqualTo("[1024,1024,512,256,1]");
        assertThat(model.get("interaction").stringValue()).isEqualTo("dot");
        assertThat(model.get("tables")).hasSize(26);
        assertThat(model.get("tables").get(0).toString())
                .isEqualTo("{\"name\":\"t0\",\"rows\":7913,\"dim\":128,\"sparse_file\":\"sparse/t0\"}");
        assertThat(model.get("dense_weights").stringValue()).isEqualTo("dense.safetensors");
        assertThat(model.get("hps_config").stringValue()).isEqualTo("ps.json");
        assertThat(model.get("max_batch_size").intValue()).isEqualTo(16384);
        assertThat(model.get("generator").toString()).isEqualTo("{\"scale\":0.001,\"seed\":42}");
    }

    @Test
    void shouldWriteHugeCtrPsJson() throws IOException {
        JsonNode ps = JSON.readTree(oneThread.modelDirectory().resolve("ps.json").toFile());
        assertThat(ps.get("supportlonglong").booleanValue()).isTrue();
        assertThat(ps.get("volatile_db").toString()).isEqualTo("{\"type\":\"hash_map\",\"num_partitions\":4,"
                + "\"initial_cache_rate\":1.0,\"overflow_margin\":" + oneThread.rows()
                + ",\"overflow_policy\":\"evict_random\"}");
        assertThat(ps.get("persistent_db").toString()).isEqualTo("{\"type\":\"disabled\"}");
        assertThat(ps.get("models")).hasSize(1);
        JsonNode m = ps.get("models").get(0);
        assertThat(m.get("model").stringValue()).isEqualTo("dlrm");
        assertThat(m.get("sparse_files")).hasSize(26);
        assertThat(m.get("sparse_files").get(25).stringValue()).isEqualTo("sparse/t25");
        assertThat(m.get("embedding_table_names").get(3).stringValue()).isEqualTo("t3");
        assertThat(m.get("embedding_vecsize_per_table").values()).hasSize(26).allMatch(v -> v.intValue() == 128);
        assertThat(m.get("maxnum_catfeature_query_per_table_per_sample").values()).hasSize(26)
                .allMatch(v -> v.intValue() == 1);
        assertThat(m.get("default_value_for_each_table").values()).hasSize(26).allMatch(v -> v.doubleValue() == 0.0);
        assertThat(m.get("deployed_device_list").toString()).isEqualTo("[0]");
        assertThat(m.get("max_batch_size").intValue()).isEqualTo(16384);
        assertThat(m.get("gpucache").booleanValue()).isTrue();
        assertThat(m.get("gpucacheper").doubleValue()).isEqualTo(0.5);
        assertThat(m.get("hit_rate_threshold").doubleValue()).isEqualTo(0.9);
        assertThat(m.get("embedding_cache_type").stringValue()).isEqualTo("dynamic");
        assertThat(m.get("use_static_table").booleanValue()).isFalse();
    }

    @Test
    void shouldWriteTablesWithRowOrderKeysAndUniformValuesWithinTheInitBound() throws IOException {
        DlrmArchitecture a = oneThread.architecture();
        for (TableSpec spec : a.tables()) {
            try (SparseTable t = SparseTable.open(oneThread.modelDirectory().resolve("sparse").resolve(spec.name()), 128)) {
                assertThat(t.rows()).isEqualTo(spec.rows());
                float bound = (float) Math.sqrt(1.0 / spec.rows());
                double sum = 0;
                float max = 0;
                long keysOutOfOrder = 0;
                for (SparseChunk c : t.chunks(1000)) {
                    for (int i = 0; i < c.rows(); i++) {
                        keysOutOfOrder += c.key(i) == c.firstRow() + i ? 0 : 1;
                    }
                    for (float v : c.vectors().toArray(FLOAT32_LE)) {
                        sum += v;
                        max = Math.max(max, Math.abs(v));
                    }
                }
                assertThat(keysOutOfOrder).as(spec.name()).isZero();
                assertThat(max).as(spec.name()).isLessThanOrEqualTo(bound);
                long n = spec.rows() * 128;
                if (n >= 10_000) {
                    assertThat(max).as(spec.name()).isGreaterThan(0.99f * bound);
                    assertThat(sum / n / bound).as(spec.name()).isCloseTo(0.0, within(0.05));
                }
            }
        }
    }

    @Test
    void shouldInitialiseDenseLayersWithMlperfScales() throws IOException {
        DlrmWeights w = DlrmWeightsFile.load(oneThread.modelDirectory().resolve("dense.safetensors"),
                oneThread.architecture());
        for (DenseLayer l : Stream.concat(w.bottom().stream(), w.top().stream()).toList()) {
            assertMoments(l.weight(), Math.sqrt(2.0 / (l.inputs() + l.outputs())));
            if (l.outputs() >= 256) {
                assertMoments(l.bias(), Math.sqrt(1.0 / l.outputs()));
            }
        }
    }

    @Test
    void shouldDependOnTheSeed() throws IOException {
        GenerationResult a = SyntheticModelGenerator.generate(settings(dir.resolve("a"), 0.00001, 7, 2), ProgressListener.NONE);
        GenerationResult b = SyntheticModelGenerator.generate(settings(dir.resolve("b"), 0.00001, 8, 2), ProgressListener.NONE);
        assertThat(Files.mismatch(a.modelDirectory().resolve("sparse/t0/emb_vector"),
                b.modelDirectory().resolve("sparse/t0/emb_vector"))).isNotEqualTo(-1L);
        assertThat(Files.mismatch(a.modelDirectory().resolve("dense.safetensors"),
                b.modelDirectory().resolve("dense.safetensors"))).isNotEqualTo(-1L);
        assertThat(Files.mismatch(a.modelDirectory().resolve("sparse/t0/key"),
                b.modelDirectory().resolve("sparse/t0/key"))).isEqualTo(-1L);
    }

    @Test
    void shouldRunFromTheCommandLineAndPrintProgressAndSummary() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SyntheticModelGenerator());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("--out", dir.resolve("cli").toString(), "--name", "small", "--scale", "0.00001",
                "--dim", "16", "--seed", "3", "--threads", "2", "--max-batch-size", "64");
        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("generated model=small").contains("tables=26").contains("rows=")
                .contains("bytes=").contains("seconds=");
        assertThat(err.toString()).contains("100.0%").contains("GiB").contains("MB/s").contains("ETA");
        JsonNode model = JSON.readTree(dir.resolve("cli/model.json").toFile());
        assertThat(model.get("name").stringValue()).isEqualTo("small");
        assertThat(model.get("bottom_mlp").toString()).isEqualTo("[512,256,16]");
        assertThat(model.get("max_batch_size").intValue()).isEqualTo(64);
        try (SparseTable t = SparseTable.open(dir.resolve("cli/sparse/t0"), 16)) {
            assertThat(t.rows()).isEqualTo(79);
        }
    }

    @Test
    void shouldRejectBadOptionsWithUsage() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SyntheticModelGenerator());
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("--out", dir.resolve("bad").toString(), "--scale", "2");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("scale=2.0").contains("--max-batch-size");
        assertThat(dir.resolve("bad")).doesNotExist();
    }

    private static void assertMoments(float[] values, double stddev) {
        double sum = 0;
        double squares = 0;
        for (float v : values) {
            sum += v;
            squares += (double) v * v;
        }
        double mean = sum / values.length;
        double sd = Math.sqrt(squares / values.length - mean * mean);
        double tolerance = 6 / Math.sqrt(values.length);
        assertThat(mean / stddev).isCloseTo(0.0, within(tolerance));
        assertThat(sd / stddev).isCloseTo(1.0, within(tolerance));
    }

    private static long denseParameters(DlrmArchitecture a) {
        long n = 0;
        int in = a.denseFeatures();
        for (int w : a.bottomMlp()) {
            n += (long) in * w + w;
            in = w;
        }
        in = a.topInputWidth();
        for (int w : a.topMlp()) {
            n += (long) in * w + w;
            in = w;
        }
        return n;
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }
}
