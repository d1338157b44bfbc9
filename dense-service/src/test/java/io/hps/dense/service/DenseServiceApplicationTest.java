package io.hps.dense.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.dense.path.GeneratedModel;
import io.hps.dense.transport.ScoreServer;
import io.hps.store.HpsSettings;
import io.hps.store.LoadProgress;
import io.hps.store.ParameterServer;
import io.hps.testing.NettyLeaks;
import io.hps.transport.LookupClient;
import io.hps.transport.LookupServer;
import io.hps.wire.ErrorFrameDecoder;
import io.hps.wire.FrameHeader;
import io.hps.wire.FrameType;
import io.hps.wire.RequestContext;
import io.hps.wire.ScoreRequestEncoder;
import io.hps.wire.ScoreResponseDecoder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole service on random ports, with a real hps-service lookup server for the ensemble
 * instance: readiness follows loading and warm-up, infer answers the same scores on the three
 * paths, metrics are scraped in Prometheus format.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DenseServiceApplicationTest {
    private static final HttpClient http = HttpClient.newHttpClient();
    private static GeneratedModel model;
    private static ParameterServer hps;
    private static LookupServer lookupServer;

    @LocalServerPort
    int port;

    @Autowired
    ScoreServer scoreServer;

    @DynamicPropertySource
    static void models(DynamicPropertyRegistry registry) throws Exception {
        model = GeneratedModel.generate(Files.createTempDirectory("dense-service-test"));
        hps = ParameterServer.create(model.directory().psConfig(), HpsSettings.DEFAULTS, new SimpleMeterRegistry());
        hps.load(LoadProgress.NONE).get(60, TimeUnit.SECONDS);
        lookupServer = LookupServer.start(hps, "127.0.0.1", 0, 2, 16, 64 << 20, new SimpleMeterRegistry());
        Path dir = model.directory().directory();
        String[][] instances = {{"dlrm-native", "native"}, {"dlrm-fused", "fused"}, {"dlrm-ensemble", "ensemble"}};
        for (int i = 0; i < instances.length; i++) {
            String name = instances[i][0];
            String path = instances[i][1];
            registry.add("dense.models[" + i + "].name", () -> name);
            registry.add("dense.models[" + i + "].model-dir", dir::toString);
            registry.add("dense.models[" + i + "].path", () -> path);
        }
        registry.add("dense.hps-replicas[0]", () -> "127.0.0.1:" + lookupServer.port());
        registry.add("dense.rsocket.port", () -> "0");
        registry.add("dense.rsocket.host", () -> "127.0.0.1");
        registry.add("dense.network.threads", () -> "2");
        registry.add("dense.network.warm-up-millis", () -> "100");
    }

    @AfterAll
    static void stop() {
        lookupServer.close();
        hps.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static float[] infer(LookupClient client, String name, GeneratedModel.Batch batch) {
        RequestContext context = new RequestContext(name, 3, 0);
        ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer();
        ScoreRequestEncoder.encodeKeys(frame, context, batch.size(), 13, 26,
                Unpooled.wrappedBuffer(batch.dense().asByteBuffer()), Unpooled.wrappedBuffer(batch.keys().asByteBuffer()));
        ByteBuf response = client.lookup(frame).block(Duration.ofSeconds(30));
        try {
            int at = response.readerIndex();
            if (FrameHeader.peekType(response, at, response.readableBytes()) == FrameType.ERROR) {
                ErrorFrameDecoder error = new ErrorFrameDecoder().wrap(response, at, response.readableBytes());
                throw new AssertionError(error.code() + ": " + error.message());
            }
            ScoreResponseDecoder decoded = new ScoreResponseDecoder().wrap(response, at, response.readableBytes());
            float[] out = new float[decoded.batchSize()];
            for (int i = 0; i < out.length; i++) {
                out[i] = decoded.score(i);
            }
            return out;
        } finally {
            response.release();
        }
    }

    @Test
    void shouldTurnReadyAfterWarmUpAndServeInferOnEveryPath() throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        HttpResponse<String> readiness;
        do {
            readiness = get("/actuator/health/readiness");
            if (readiness.statusCode() == 200) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < until);
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);

        GeneratedModel.Batch batch = model.batch(50, 31);
        try (LookupClient client = LookupClient.connect(List.of(new InetSocketAddress("127.0.0.1", scoreServer.port())),
                Duration.ofSeconds(10), Duration.ofSeconds(5))) {
            float[] expected = infer(client, "dlrm-native", batch);
            assertThat(infer(client, "dlrm-fused", batch)).containsExactly(expected);
            assertThat(infer(client, "dlrm-ensemble", batch)).containsExactly(expected);
        }
        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).contains("dense_requests_total{", "result=\"ok\"", "dense_compute_latency_seconds",
                "dense_lookup_latency_seconds", "dense_batch_size", "path=\"ensemble\"");
        assertThat(NettyLeaks.collect()).as("Netty buffer leaks").isEmpty();
    }
}
