package io.hps.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.model.config.PsConfigFile;
import io.hps.store.HpsSettings;
import io.hps.store.LoadProgress;
import io.hps.store.ParameterServer;
import io.hps.store.TestModel;
import io.hps.testing.NettyLeaks;
import io.hps.wire.EmbeddingSection;
import io.hps.wire.LookupRequestEncoder;
import io.hps.wire.LookupResponseDecoder;
import io.hps.wire.LookupStatus;
import io.hps.wire.RequestContext;
import io.hps.wire.VectorDtype;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A lookup response larger than one RSocket frame (16 MiB) travels in fragments and arrives whole. */
class LargeLookupTest {
    @TempDir
    Path root;

    @Test
    void shouldAnswerALookupLargerThanOneFrame() throws Exception {
        TestModel model = TestModel.generate(root, 0.0005, 256);
        PsConfigFile ps = model.psConfig("{\"type\": \"hash_map\"}", "{\"type\": \"disabled\"}",
                "\"gpucache\": true, \"gpucacheper\": 1.0, \"hit_rate_threshold\": 1.0");
        int tables = model.tables().size();
        int batch = 1024;
        int[] counts = new int[tables];
        Arrays.fill(counts, batch);
        ByteBuf keys = ByteBufAllocator.DEFAULT.buffer(tables * batch * 8);
        for (int t = 0; t < tables; t++) {
            for (int b = 0; b < batch; b++) {
                keys.writeLongLE(b % model.tables().get(t).rows());
            }
        }
        try (ParameterServer server = ParameterServer.create(ps.config(), HpsSettings.DEFAULTS, new SimpleMeterRegistry())) {
            server.load(LoadProgress.NONE).get(60, TimeUnit.SECONDS);
            try (LookupServer lookupServer = LookupServer.start(server, "127.0.0.1", 0, 2, 4, 64 << 20,
                    new SimpleMeterRegistry());
                 LookupClient client = LookupClient.connect(List.of(new InetSocketAddress("127.0.0.1",
                         lookupServer.port())), Duration.ofSeconds(30), Duration.ofSeconds(5))) {
                RequestContext context = new RequestContext(TestModel.NAME, 9, 0);
                ByteBuf request = ByteBufAllocator.DEFAULT.buffer(LookupRequestEncoder.frameLength(context, counts));
                LookupRequestEncoder.encode(request, context, VectorDtype.F32, false, counts, keys);
                ByteBuf frame = client.lookup(request).block(Duration.ofSeconds(60));
                try {
                    assertThat(frame.readableBytes()).isGreaterThan(LookupServer.FRAGMENT_MTU);
                    LookupResponseDecoder response = new LookupResponseDecoder()
                            .wrap(frame, frame.readerIndex(), frame.readableBytes());
                    assertThat(response.status()).isEqualTo(LookupStatus.OK);
                    EmbeddingSection section = response.embeddings();
                    int t = tables - 1;
                    int b = batch - 1;
                    float[] expected = model.vector(t, b % model.tables().get(t).rows());
                    for (int e = 0; e < expected.length; e++) {
                        assertThat(section.element(t, section.row(t, b), e)).isEqualTo(expected[e]);
                    }
                } finally {
                    frame.release();
                }
            }
        } finally {
            keys.release();
        }
        assertThat(NettyLeaks.collect()).isEmpty();
    }
}
