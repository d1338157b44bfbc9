package io.hps.dense.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.dense.path.GeneratedModel;
import io.hps.dense.path.PathKind;
import io.hps.dense.path.PathSettings;
import io.hps.dense.path.ScoringPath;
import io.hps.dense.path.ScoringPaths;
import io.hps.dense.path.ServedModels;
import io.hps.testing.NettyLeaks;
import io.hps.transport.LookupClient;
import io.hps.wire.EmbeddingBlock;
import io.hps.wire.ErrorCode;
import io.hps.wire.ErrorFrameDecoder;
import io.hps.wire.FrameHeader;
import io.hps.wire.FrameType;
import io.hps.wire.RequestContext;
import io.hps.wire.ScoreRequestEncoder;
import io.hps.wire.ScoreResponseDecoder;
import io.hps.wire.VectorDtype;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** dense-service's RSocket server over real TCP on loopback, Netty leak detection at paranoid. */
class ScoreServerTest {
    @TempDir
    static Path root;
    static GeneratedModel model;
    static SimpleMeterRegistry registry = new SimpleMeterRegistry();
    static ServedModels models;
    static ScoringPath path;
    static ScoreServer server;
    static LookupClient client;

    @BeforeAll
    static void start() {
        model = GeneratedModel.generate(root);
        models = new ServedModels(List.of("dlrm-native", "still-loading"));
        path = ScoringPaths.open(new PathSettings("dlrm-native", PathKind.NATIVE, 2, 2, 100, VectorDtype.F32, false,
                1000, PathSettings.MAX_RESPONSE_BYTES), model.directory(), registry, null);
        models.publish(path);
        server = ScoreServer.start(models, new ScoreServerSettings("127.0.0.1", 0, 1, 1, 64 << 20), registry);
        client = LookupClient.connect(List.of(new InetSocketAddress("127.0.0.1", server.port())),
                Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
        models.close();
        assertThat(NettyLeaks.installed()).isTrue();
        assertThat(NettyLeaks.collect()).as("Netty buffer leaks").isEmpty();
    }

    private static ByteBuf infer(String name, GeneratedModel.Batch batch, long requestId) {
        ByteBuf dense = Unpooled.wrappedBuffer(batch.dense().asByteBuffer());
        ByteBuf keys = Unpooled.wrappedBuffer(batch.keys().asByteBuffer());
        RequestContext context = new RequestContext(name, requestId, 0);
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(
                ScoreRequestEncoder.keysFrameLength(context, batch.size(), 13, 26));
        ScoreRequestEncoder.encodeKeys(frame, context, batch.size(), 13, 26, dense, keys);
        return frame;
    }

    private static void exchange(ByteBuf request, Consumer<ByteBuf> check) {
        ByteBuf response = client.lookup(request).block(Duration.ofSeconds(30));
        try {
            check.accept(response);
        } finally {
            response.release();
        }
    }

    private static float[] scores(ByteBuf response) {
        assertThat(FrameHeader.peekType(response, response.readerIndex(), response.readableBytes()))
                .isEqualTo(FrameType.SCORE_RESPONSE);
        ScoreResponseDecoder decoded = new ScoreResponseDecoder().wrap(response, response.readerIndex(),
                response.readableBytes());
        float[] out = new float[decoded.batchSize()];
        for (int i = 0; i < out.length; i++) {
            out[i] = decoded.score(i);
        }
        return out;
    }

    private static ErrorFrameDecoder error(ByteBuf response) {
        assertThat(FrameHeader.peekType(response, response.readerIndex(), response.readableBytes()))
                .isEqualTo(FrameType.ERROR);
        return new ErrorFrameDecoder().wrap(response, response.readerIndex(), response.readableBytes());
    }

    private static float[] direct(GeneratedModel.Batch batch) {
        float[] out = new float[batch.size()];
        path.score(batch.size(), batch.dense(), batch.keys(), out);
        return out;
    }

    @Test
    void shouldAnswerInferWithTheScoresOfThePath() {
        GeneratedModel.Batch batch = model.batch(100, 21);
        exchange(infer("dlrm-native", batch, 5), r -> {
            assertThat(new ScoreResponseDecoder().wrap(r, r.readerIndex(), r.readableBytes()).requestId()).isEqualTo(5);
            assertThat(scores(r)).containsExactly(direct(batch));
        });
        assertThat(registry.get("dense.requests").tags("model", "dlrm-native", "result", "ok").counter().count())
                .isPositive();
    }

    @Test
    void shouldAnswerScoreWithInlineEmbeddings() {
        GeneratedModel.Batch batch = model.batch(40, 22);
        ByteBuf vectors = Unpooled.buffer();
        for (float v : batch.embeddings()) {
            vectors.writeFloatLE(v);
        }
        RequestContext context = new RequestContext("dlrm-native", 6, 0);
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer();
        ScoreRequestEncoder.encode(frame, context, batch.size(), 13, Unpooled.wrappedBuffer(batch.dense().asByteBuffer()),
                EmbeddingBlock.sampleMajor(VectorDtype.F32, batch.size(), 26, 16), null, vectors);
        vectors.release();
        exchange(frame, r -> assertThat(scores(r)).containsExactly(direct(batch)));
    }

    @Test
    void shouldAnswerErrorFramesWithTheirCodes() {
        GeneratedModel.Batch batch = model.batch(4, 23);
        exchange(infer("nope", batch, 7), r -> {
            assertThat(error(r).code()).isEqualTo(ErrorCode.UNKNOWN_MODEL);
            assertThat(error(r).requestId()).isEqualTo(7);
        });
        exchange(infer("still-loading", batch, 8), r -> assertThat(error(r).code()).isEqualTo(ErrorCode.NOT_READY));
        ByteBuf garbage = ByteBufAllocator.DEFAULT.buffer().writeLongLE(42).writeLongLE(43);
        exchange(garbage, r -> assertThat(error(r).code()).isEqualTo(ErrorCode.MALFORMED_FRAME));
        batch.dense().setAtIndex(ValueLayout.JAVA_FLOAT, 2L * 13 + 9, Float.POSITIVE_INFINITY);
        exchange(infer("dlrm-native", batch, 9), r -> {
            assertThat(error(r).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(error(r).message()).contains("sample=2", "feature=9");
        });
    }

    @Test
    void shouldRefuseMismatchedShapesAndBatchesOverTheMaximum() {
        GeneratedModel.Batch batch = model.batch(4, 24);
        RequestContext context = new RequestContext("dlrm-native", 10, 0);
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer();
        ScoreRequestEncoder.encodeKeys(frame, context, 4, 12, 26, Unpooled.wrappedBuffer(new byte[4 * 12 * 4]),
                Unpooled.wrappedBuffer(batch.keys().asByteBuffer()));
        exchange(frame, r -> assertThat(error(r).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        int over = GeneratedModel.MAX_BATCH + 1;
        ByteBuf big = ByteBufAllocator.DEFAULT.directBuffer();
        ScoreRequestEncoder.encodeKeys(big, context, over, 13, 26, Unpooled.wrappedBuffer(new byte[over * 13 * 4]),
                Unpooled.wrappedBuffer(new byte[over * 26 * 8]));
        exchange(big, r -> assertThat(error(r).code()).isEqualTo(ErrorCode.TOO_MANY_KEYS));
        exchange(infer("dlrm-native", batch, 11), r -> assertThat(scores(r)).containsExactly(direct(batch)));
    }

    @Test
    void shouldAnswerOverloadedWhenTheQueueIsFull() {
        GeneratedModel.Batch batch = model.batch(GeneratedModel.MAX_BATCH, 25);
        float[] expected = direct(batch);
        List<String> outcomes = Flux.range(0, 24)
                .flatMap(i -> client.lookup(infer("dlrm-native", batch, i)).map(r -> {
                    try {
                        if (FrameHeader.peekType(r, r.readerIndex(), r.readableBytes()) == FrameType.ERROR) {
                            return error(r).code().name();
                        }
                        assertThat(scores(r)).containsExactly(expected);
                        return "OK";
                    } finally {
                        r.release();
                    }
                }), 24)
                .collectList().block(Duration.ofSeconds(60));
        assertThat(outcomes).hasSize(24).contains("OK", "OVERLOADED").containsOnly("OK", "OVERLOADED");
    }
}
