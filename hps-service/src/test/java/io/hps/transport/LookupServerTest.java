package io.hps.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.model.config.PsConfigFile;
import io.hps.store.HpsSettings;
import io.hps.store.LoadProgress;
import io.hps.store.ParameterServer;
import io.hps.store.TestModel;
import io.hps.testing.NettyLeaks;
import io.hps.wire.EmbeddingLayout;
import io.hps.wire.EmbeddingSection;
import io.hps.wire.ErrorCode;
import io.hps.wire.ErrorFrameDecoder;
import io.hps.wire.FrameHeader;
import io.hps.wire.FrameType;
import io.hps.wire.HalfPrecision;
import io.hps.wire.LookupRequestEncoder;
import io.hps.wire.LookupResponseDecoder;
import io.hps.wire.LookupStatus;
import io.hps.wire.RequestContext;
import io.hps.wire.VectorDtype;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** hps-service's RSocket lookups over real TCP on loopback, with Netty leak detection at paranoid. */
class LookupServerTest {
    @TempDir
    static Path root;
    static TestModel model;
    static ParameterServer server;
    static LookupServer lookupServer;
    static LookupClient client;
    static SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void start() throws Exception {
        model = TestModel.generate(root);
        PsConfigFile ps = model.psConfig("{\"type\": \"hash_map\", \"num_partitions\": 2}", "{\"type\": \"disabled\"}",
                "\"gpucache\": true, \"gpucacheper\": 0.5, \"hit_rate_threshold\": 1.0");
        server = ParameterServer.create(ps.config(), HpsSettings.DEFAULTS, new SimpleMeterRegistry());
        server.load(LoadProgress.NONE).get(60, TimeUnit.SECONDS);
        lookupServer = LookupServer.start(server, "127.0.0.1", 0, 2, 16, 64 << 20, registry);
        client = LookupClient.connect(List.of(new InetSocketAddress("127.0.0.1", lookupServer.port())),
                Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        client.close();
        lookupServer.close();
        server.close();
        assertThat(NettyLeaks.installed()).isTrue();
        assertThat(NettyLeaks.collect()).as("Netty buffer leaks").isEmpty();
    }

    private static ByteBuf request(String modelName, VectorDtype dtype, boolean unique, int[] counts, long[] keys) {
        ByteBuf keyBuf = ByteBufAllocator.DEFAULT.heapBuffer(keys.length * 8);
        try {
            for (long k : keys) {
                keyBuf.writeLongLE(k);
            }
            RequestContext context = new RequestContext(modelName, 77, 0);
            ByteBuf frame = ByteBufAllocator.DEFAULT.buffer(LookupRequestEncoder.frameLength(context, counts));
            LookupRequestEncoder.encode(frame, context, dtype, unique, counts, keyBuf);
            return frame;
        } finally {
            keyBuf.release();
        }
    }

    private static void exchange(ByteBuf request, Consumer<ByteBuf> check) {
        ByteBuf response = client.lookup(request).block(Duration.ofSeconds(20));
        try {
            check.accept(response);
        } finally {
            response.release();
        }
    }

    /** One key per table per sample, {@code batch} samples: key = (sample * 7 + table) mod rows. */
    private static long[] keys(int batch, int[] counts) {
        int tables = model.tables().size();
        Arrays.fill(counts, batch);
        long[] keys = new long[batch * tables];
        for (int t = 0; t < tables; t++) {
            long rows = model.tables().get(t).rows();
            for (int b = 0; b < batch; b++) {
                keys[t * batch + b] = (b * 7L + t) % rows;
            }
        }
        return keys;
    }

    private static byte[] bytes(ByteBuf frame) {
        byte[] b = new byte[frame.readableBytes()];
        frame.getBytes(frame.readerIndex(), b);
        return b;
    }

    @Test
    void shouldAnswerSmallRequestsOnTheEventLoopWhenEveryTierIsInProcess() {
        int[] counts = new int[model.tables().size()];
        long[] keys = keys(16, counts);
        long waited = registry.get("hps.rsocket.lookup.queue.wait").timer().count();
        byte[][] inline = new byte[1][];
        exchange(request(TestModel.NAME, VectorDtype.F32, true, counts, keys), frame -> inline[0] = bytes(frame));
        assertThat(registry.get("hps.rsocket.lookup.queue.wait").timer().count())
                .as("no hand-off to a worker").isEqualTo(waited);

        SimpleMeterRegistry workerRegistry = new SimpleMeterRegistry();
        try (LookupServer workersOnly = LookupServer.start(server, "127.0.0.1", 0, 2, 16, 64 << 20, 0, workerRegistry);
             LookupClient workersClient = LookupClient.connect(
                     List.of(new InetSocketAddress("127.0.0.1", workersOnly.port())), Duration.ofSeconds(10),
                     Duration.ofSeconds(5))) {
            ByteBuf response = workersClient.lookup(request(TestModel.NAME, VectorDtype.F32, true, counts, keys))
                    .block(Duration.ofSeconds(20));
            try {
                assertThat(bytes(response)).as("same answer from a worker").isEqualTo(inline[0]);
            } finally {
                response.release();
            }
            assertThat(workerRegistry.get("hps.rsocket.lookup.queue.wait").timer().count()).isEqualTo(1);
        }
    }

    @Test
    void shouldAnswerOverSharedMemoryAsOverTcp() {
        SimpleMeterRegistry shmRegistry = new SimpleMeterRegistry();
        Path socket = root.resolve("lookup.sock");
        try (LookupServer both = LookupServer.start(server, "127.0.0.1", 0, 2, 16, 64 << 20, 64, socket, shmRegistry);
             LookupClient tcp = LookupClient.connect(List.of(new InetSocketAddress("127.0.0.1", both.port())),
                     Duration.ofSeconds(10), Duration.ofSeconds(5));
             LookupClient shm = LookupClient.connect(List.of(Endpoints.parse("test", "shm:" + socket)),
                     Duration.ofSeconds(10), Duration.ofSeconds(5))) {
            for (int batch : new int[] {16, 1024}) {
                int[] counts = new int[model.tables().size()];
                long[] keys = keys(batch, counts);
                byte[][] answers = new byte[2][];
                int i = 0;
                for (LookupClient c : List.of(tcp, shm)) {
                    ByteBuf response = c.lookup(request(TestModel.NAME, VectorDtype.F32, false, counts, keys))
                            .block(Duration.ofSeconds(20));
                    try {
                        answers[i++] = bytes(response);
                    } finally {
                        response.release();
                    }
                }
                assertThat(answers[1]).as("batch %d over shared memory", batch).isEqualTo(answers[0]);
                ByteBuf frame = Unpooled.wrappedBuffer(answers[1]);
                assertThat(new LookupResponseDecoder().wrap(frame, 0, answers[1].length).status())
                        .isEqualTo(LookupStatus.OK);
                assertThat(answers[1].length).isGreaterThan(batch * counts.length * 4);
            }
            assertThat(shmRegistry.get("hps.rsocket.lookup.latency").timer().count()).isEqualTo(4);
        }
        assertThat(socket).as("socket removed at close").doesNotExist();
    }

    @Test
    void shouldAnswerTableMajorFloat32VectorsBitExact() {
        int[] counts = new int[model.tables().size()];
        long[] keys = keys(64, counts);
        exchange(request(TestModel.NAME, VectorDtype.F32, false, counts, keys), frame -> {
            assertThat(FrameHeader.peekType(frame, frame.readerIndex(), frame.readableBytes()))
                    .isEqualTo(FrameType.LOOKUP_RESPONSE);
            LookupResponseDecoder response = new LookupResponseDecoder()
                    .wrap(frame, frame.readerIndex(), frame.readableBytes());
            assertThat(response.requestId()).isEqualTo(77);
            assertThat(response.status()).isEqualTo(LookupStatus.OK);
            EmbeddingSection section = response.embeddings();
            assertThat(section.layout()).isEqualTo(EmbeddingLayout.TABLE_MAJOR);
            for (int t = 0; t < counts.length; t++) {
                for (int b = 0; b < 64; b += 13) {
                    float[] expected = model.vector(t, keys[t * 64 + b]);
                    int row = section.row(t, b);
                    for (int e = 0; e < expected.length; e++) {
                        assertThat(section.element(t, row, e)).isEqualTo(expected[e]);
                    }
                }
            }
        });
    }

    @Test
    void shouldAnswerUniqueVectorsWithInverseIndexInHalfPrecision() {
        int[] counts = new int[model.tables().size()];
        long[] keys = keys(32, counts);
        for (int t = 0; t < counts.length; t++) {
            keys[t * 32 + 31] = keys[t * 32];
        }
        for (VectorDtype dtype : List.of(VectorDtype.F16, VectorDtype.BF16)) {
            exchange(request(TestModel.NAME, dtype, true, counts, keys), frame -> {
                EmbeddingSection section = new LookupResponseDecoder()
                        .wrap(frame, frame.readerIndex(), frame.readableBytes()).embeddings();
                assertThat(section.layout()).isEqualTo(EmbeddingLayout.UNIQUE);
                assertThat(section.dtype()).isEqualTo(dtype);
                for (int t = 0; t < counts.length; t++) {
                    assertThat(section.rowCount(t)).isLessThan(32);
                    assertThat(section.row(t, 31)).isEqualTo(section.row(t, 0));
                    float[] expected = model.vector(t, keys[t * 32 + 5]);
                    int row = section.row(t, 5);
                    for (int e = 0; e < expected.length; e++) {
                        float rounded = dtype == VectorDtype.F16
                                ? HalfPrecision.fromF16(HalfPrecision.toF16(expected[e]))
                                : HalfPrecision.fromBf16(HalfPrecision.toBf16(expected[e]));
                        assertThat(section.element(t, row, e)).isEqualTo(rounded);
                    }
                }
            });
        }
    }

    @Test
    void shouldAnswerUnknownModelTooManyKeysAndMalformedFramesWithTypedErrorsAndKeepServing() {
        int[] counts = new int[model.tables().size()];
        long[] keys = keys(4, counts);
        exchange(request("nosuchmodel", VectorDtype.F32, false, counts, keys),
                frame -> assertError(frame, ErrorCode.UNKNOWN_MODEL, "nosuchmodel"));
        exchange(request(TestModel.NAME, VectorDtype.F32, false, new int[] {1, 1}, new long[] {1, 2}),
                frame -> assertError(frame, ErrorCode.UNKNOWN_TABLE, "table count mismatch"));
        int[] big = new int[counts.length];
        long[] many = keys(1025, big);
        exchange(request(TestModel.NAME, VectorDtype.F32, false, big, many),
                frame -> assertError(frame, ErrorCode.TOO_MANY_KEYS, "max=1024"));
        ByteBuf garbage = ByteBufAllocator.DEFAULT.buffer(40);
        garbage.writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        exchange(garbage, frame -> assertError(frame, ErrorCode.MALFORMED_FRAME, "length"));
        exchange(request(TestModel.NAME, VectorDtype.F32, false, counts, keys),
                frame -> assertThat(new LookupResponseDecoder().wrap(frame, frame.readerIndex(),
                        frame.readableBytes()).status()).isEqualTo(LookupStatus.OK));
    }

    @Test
    void shouldReportDefaultsForUnknownKeys() {
        int[] counts = new int[model.tables().size()];
        long[] keys = keys(2, counts);
        keys[0] = Long.MAX_VALUE;
        exchange(request(TestModel.NAME, VectorDtype.F32, false, counts, keys), frame -> {
            LookupResponseDecoder response = new LookupResponseDecoder()
                    .wrap(frame, frame.readerIndex(), frame.readableBytes());
            assertThat(response.status()).isEqualTo(LookupStatus.DEFAULTS_USED);
            assertThat(response.embeddings().element(0, response.embeddings().row(0, 0), 3))
                    .isEqualTo(TestModel.defaultValue(0));
        });
    }

    @Test
    void shouldServeConcurrentRequestsOnOneConnection() {
        int[] counts = new int[model.tables().size()];
        long[] keys = keys(16, counts);
        List<Integer> statuses = Flux.range(0, 64)
                .flatMap(i -> client.lookup(request(TestModel.NAME, VectorDtype.F32, false, counts, keys))
                        .map(frame -> {
                            try {
                                return new LookupResponseDecoder().wrap(frame, frame.readerIndex(),
                                        frame.readableBytes()).status().code();
                            } finally {
                                frame.release();
                            }
                        }), 16)
                .collectList().block(Duration.ofSeconds(60));
        assertThat(statuses).hasSize(64).containsOnly(LookupStatus.OK.code());
    }

    private static void assertError(ByteBuf frame, ErrorCode code, String messagePart) {
        assertThat(FrameHeader.peekType(frame, frame.readerIndex(), frame.readableBytes())).isEqualTo(FrameType.ERROR);
        ErrorFrameDecoder error = new ErrorFrameDecoder().wrap(frame, frame.readerIndex(), frame.readableBytes());
        assertThat(error.code()).isEqualTo(code);
        assertThat(error.message()).contains(messagePart);
    }
}
