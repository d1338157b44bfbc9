package io.hps.dense.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.store.HpsSettings;
import io.hps.store.LoadProgress;
import io.hps.store.ParameterServer;
import io.hps.testing.NettyLeaks;
import io.hps.transport.LookupClient;
import io.hps.transport.LookupServer;
import io.hps.wire.EmbeddingBlock;
import io.hps.wire.ErrorCode;
import io.hps.wire.HalfPrecision;
import io.hps.wire.RequestContext;
import io.hps.wire.ScoreRequestDecoder;
import io.hps.wire.ScoreRequestEncoder;
import io.hps.wire.VectorDtype;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three paths over one generated model, with a real hps-service lookup server on loopback
 * for the ensemble, Netty leak detection at paranoid.
 */
class ScoringPathsTest {
    private static final double RELATIVE = 1e-5;

    @TempDir
    static Path root;
    static GeneratedModel model;
    static SimpleMeterRegistry registry = new SimpleMeterRegistry();
    static ParameterServer hps;
    static LookupServer lookupServer;
    static LookupClient client;
    static final List<ScoringPath> opened = new ArrayList<>();
    static ScoringPath nativePath;
    static ScoringPath fused;
    static ScoringPath ensemble;
    static ScoringPath ensembleUnique;
    static ScoringPath ensembleF16;
    static ScoringPath ensembleBf16;

    @BeforeAll
    static void start() throws Exception {
        model = GeneratedModel.generate(root);
        hps = ParameterServer.create(model.directory().psConfig(), HpsSettings.DEFAULTS, new SimpleMeterRegistry());
        hps.load(LoadProgress.NONE).get(60, TimeUnit.SECONDS);
        lookupServer = LookupServer.start(hps, "127.0.0.1", 0, 2, 64, 64 << 20, new SimpleMeterRegistry());
        client = LookupClient.connect(List.of(new InetSocketAddress("127.0.0.1", lookupServer.port())),
                Duration.ofSeconds(10), Duration.ofSeconds(5));
        long whole = PathSettings.MAX_RESPONSE_BYTES;
        nativePath = open("native", PathKind.NATIVE, VectorDtype.F32, false, whole);
        fused = open("fused", PathKind.FUSED, VectorDtype.F32, false, whole);
        ensemble = open("ensemble", PathKind.ENSEMBLE, VectorDtype.F32, false, whole);
        ensembleUnique = open("ensemble-unique-chunked", PathKind.ENSEMBLE, VectorDtype.F32, true, 64 << 10);
        ensembleF16 = open("ensemble-f16", PathKind.ENSEMBLE, VectorDtype.F16, true, whole);
        ensembleBf16 = open("ensemble-bf16-chunked", PathKind.ENSEMBLE, VectorDtype.BF16, false, 64 << 10);
    }

    /** {@code maxResponseBytes} of 64 KiB splits a batch into chunks of 37 (F32 unique) or 78 (BF16) samples. */
    private static ScoringPath open(String name, PathKind kind, VectorDtype dtype, boolean unique,
                                    long maxResponseBytes) {
        PathSettings settings = new PathSettings(name, kind, 2, 2, 100, dtype, unique, 10_000, maxResponseBytes);
        ScoringPath path = ScoringPaths.open(settings, model.directory(), registry, client);
        opened.add(path);
        return path;
    }

    @AfterAll
    static void stop() {
        opened.forEach(ScoringPath::close);
        client.close();
        lookupServer.close();
        hps.close();
        assertThat(NettyLeaks.installed()).isTrue();
        assertThat(NettyLeaks.collect()).as("Netty buffer leaks").isEmpty();
    }

    private static float[] score(ScoringPath path, GeneratedModel.Batch batch) {
        float[] out = new float[batch.size()];
        path.score(batch.size(), batch.dense(), batch.keys(), out);
        return out;
    }

    private static void assertNear(float[] scores, double[] reference, double relative) {
        for (int i = 0; i < scores.length; i++) {
            assertThat((double) scores[i]).as("sample %d", i)
                    .isCloseTo(reference[i], org.assertj.core.data.Offset.offset(relative * Math.abs(reference[i])));
        }
    }

    @Test
    void shouldGiveBitIdenticalScoresOnEveryPathWithFloat32Embeddings() {
        GeneratedModel.Batch batch = model.batch(300, 11);
        float[] expected = score(nativePath, batch);
        assertThat(score(fused, batch)).containsExactly(expected);
        assertThat(score(ensemble, batch)).containsExactly(expected);
        assertThat(score(ensembleUnique, batch)).containsExactly(expected);
        assertNear(expected, model.reference(batch, UnaryOperator.identity()), RELATIVE);
    }

    @Test
    void shouldScoreHalfPrecisionEmbeddingsAsTheReferenceOnRoundedVectors() {
        GeneratedModel.Batch batch = model.batch(200, 12);
        assertNear(score(ensembleF16, batch),
                model.reference(batch, v -> HalfPrecision.fromF16(HalfPrecision.toF16(v))), RELATIVE);
        assertNear(score(ensembleBf16, batch),
                model.reference(batch, v -> HalfPrecision.fromBf16(HalfPrecision.toBf16(v))), RELATIVE);
        double[] exact = model.reference(batch, UnaryOperator.identity());
        assertNear(score(ensembleF16, batch), exact, 1e-3);
        assertNear(score(ensembleBf16, batch), exact, 1e-2);
    }

    @Test
    void shouldScoreInlineEmbeddingsInEveryLayout() {
        GeneratedModel.Batch batch = model.batch(64, 13);
        float[] expected = score(nativePath, batch);
        int tables = model.architecture().tableCount();
        int dim = model.architecture().embeddingDimension();
        int[] dims = new int[tables];
        int[] counts = new int[tables];
        java.util.Arrays.fill(dims, dim);
        java.util.Arrays.fill(counts, batch.size());
        ByteBuf sampleMajor = Unpooled.buffer();
        ByteBuf tableMajor = Unpooled.buffer();
        for (float v : batch.embeddings()) {
            sampleMajor.writeFloatLE(v);
        }
        for (int t = 0; t < tables; t++) {
            for (int b = 0; b < batch.size(); b++) {
                for (int d = 0; d < dim; d++) {
                    tableMajor.writeFloatLE(batch.embeddings()[(b * tables + t) * dim + d]);
                }
            }
        }
        assertThat(scoreInline(fused, batch, EmbeddingBlock.sampleMajor(VectorDtype.F32, batch.size(), tables, dim),
                sampleMajor)).containsExactly(expected);
        assertThat(scoreInline(ensemble, batch, EmbeddingBlock.tableMajor(VectorDtype.F32, dims, counts),
                tableMajor)).containsExactly(expected);
    }

    private static float[] scoreInline(ScoringPath path, GeneratedModel.Batch batch, EmbeddingBlock block,
                                       ByteBuf vectors) {
        ByteBuf dense = Unpooled.wrappedBuffer(batch.dense().asByteBuffer());
        RequestContext context = new RequestContext(path.name(), 1, 0);
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer();
        try {
            ScoreRequestEncoder.encode(frame, context, batch.size(), model.architecture().denseFeatures(), dense,
                    block, null, vectors);
            ScoreRequestDecoder request = new ScoreRequestDecoder().wrap(frame, 0, frame.readableBytes());
            float[] out = new float[batch.size()];
            path.scoreEmbeddings(batch.size(), MemorySegment.ofBuffer(request.denseNioBuffer()), request.embeddings(),
                    out);
            return out;
        } finally {
            frame.release();
            vectors.release();
        }
    }

    @Test
    void shouldRefuseNonFiniteDenseFeaturesNamingSampleAndFeature() {
        for (ScoringPath path : List.of(nativePath, fused, ensemble)) {
            GeneratedModel.Batch batch = model.batch(8, 14);
            batch.dense().setAtIndex(ValueLayout.JAVA_FLOAT, 3L * 13 + 5, Float.NaN);
            assertThatThrownBy(() -> score(path, batch)).isInstanceOfSatisfying(ScoringException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(e.getMessage()).contains("sample=3", "feature=5");
            });
            batch.dense().setAtIndex(ValueLayout.JAVA_FLOAT, 7L * 13 + 12, Float.NEGATIVE_INFINITY);
            batch.dense().setAtIndex(ValueLayout.JAVA_FLOAT, 3L * 13 + 5, 1f);
            assertThatThrownBy(() -> score(path, batch)).hasMessageContaining("sample=7").hasMessageContaining("feature=12");
        }
    }

    @Test
    void shouldRefuseShapesThatDoNotMatchTheModelAndKeepServing() {
        GeneratedModel.Batch batch = model.batch(16, 15);
        float[] out = new float[16];
        for (ScoringPath path : List.of(nativePath, fused, ensemble)) {
            assertThatThrownBy(() -> path.score(16, batch.dense().asSlice(0, 15 * 13 * 4), batch.keys(), out))
                    .isInstanceOfSatisfying(ScoringException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
            assertThatThrownBy(() -> path.score(16, batch.dense(), batch.keys().asSlice(8), out))
                    .isInstanceOfSatisfying(ScoringException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
            assertThatThrownBy(() -> path.score(0, batch.dense().asSlice(0, 0), batch.keys().asSlice(0, 0), out))
                    .isInstanceOf(ScoringException.class);
        }
        assertThat(score(ensemble, batch)).containsExactly(score(nativePath, batch));
    }

    @Test
    void shouldRefuseABatchOverTheMaximumAsTooManyKeys() {
        int over = GeneratedModel.MAX_BATCH + 1;
        MemorySegment dense = MemorySegment.ofArray(new float[over * 13]);
        MemorySegment keys = MemorySegment.ofArray(new long[over * 26]);
        for (ScoringPath path : List.of(nativePath, fused, ensemble)) {
            assertThat(path.maxBatchSize()).isEqualTo(GeneratedModel.MAX_BATCH);
            assertThatThrownBy(() -> path.score(over, dense, keys, new float[over]))
                    .isInstanceOfSatisfying(ScoringException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_KEYS));
        }
    }

    @Test
    void shouldScoreTheLargestBatchFromHeapSegments() {
        GeneratedModel.Batch batch = model.batch(GeneratedModel.MAX_BATCH, 16);
        long[] keys = batch.keys().toArray(ValueLayout.JAVA_LONG);
        float[] dense = batch.dense().toArray(ValueLayout.JAVA_FLOAT);
        float[] out = new float[batch.size()];
        float[] expected = score(nativePath, batch);
        ensemble.score(batch.size(), MemorySegment.ofArray(dense), MemorySegment.ofArray(keys), out);
        assertThat(out).containsExactly(expected);
        ensembleUnique.score(batch.size(), MemorySegment.ofArray(dense), MemorySegment.ofArray(keys), out);
        assertThat(out).containsExactly(expected);
    }

    @Test
    void shouldRecordMetersPerInstance() {
        score(fused, model.batch(10, 17));
        assertThat(registry.get("dense.batch.size").tags("model", "fused", "path", "fused").summary().count())
                .isPositive();
        assertThat(registry.get("dense.lookup.latency").tags("model", "fused").timer().count()).isPositive();
        assertThat(registry.get("dense.compute.latency").tags("model", "fused").timer().count()).isPositive();
    }
}
