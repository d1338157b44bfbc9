package io.hps.bench.hps;

import io.hps.model.TableSpec;
import io.hps.model.config.PsConfigCodec;
import io.hps.model.gen.GeneratorSettings;
import io.hps.model.gen.ProgressListener;
import io.hps.model.gen.SyntheticModelGenerator;
import io.hps.store.HpsSettings;
import io.hps.store.LoadProgress;
import io.hps.store.ParameterServer;
import io.hps.transport.LookupClient;
import io.hps.transport.LookupServer;
import io.hps.wire.FrameHeader;
import io.hps.wire.FrameType;
import io.hps.wire.LookupRequestEncoder;
import io.hps.wire.LookupResponseDecoder;
import io.hps.wire.LookupStatus;
import io.hps.wire.RequestContext;
import io.hps.wire.VectorDtype;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * hps-service end to end over RSocket on loopback: generates a synthetic Criteo model (26 tables),
 * loads it into a {@link ParameterServer} (hash map tier, every row also in the CPU cache), serves
 * it with {@link LookupServer} and sends lookups from one {@link LookupClient}, one request in
 * flight: one key per table per sample, keys uniform over each table, float32 vectors, table-major.
 * Prints per batch size samples/s and the request latency percentiles (HdrHistogram, from send to
 * response, response released unread after the first is checked).
 *
 * <p>Usage: {@code java ... io.hps.bench.hps.RsocketLookupDriver [scale=0.01] [dimension=128]
 * [seconds=20] [batch...=1024]}. A response must fit one RSocket frame (16 MiB, the server does not
 * fragment): samples * 26 * dimension * 4 bytes.
 */
public final class RsocketLookupDriver {
    private static final String MODEL = "bench";
    private static final int REQUESTS_PREPARED = 16;

    private RsocketLookupDriver() {
    }

    public static void main(String[] args) throws Exception {
        double scale = args.length > 0 ? Double.parseDouble(args[0]) : 0.01;
        int dimension = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int[] batches = args.length > 3
                ? java.util.Arrays.stream(args, 3, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1024};
        int maxBatch = java.util.Arrays.stream(batches).max().orElseThrow();
        Path dir = Files.createTempDirectory("hps-bench-model");
        var generated = SyntheticModelGenerator.generate(
                new GeneratorSettings(dir, MODEL, scale, dimension, 7, 2, maxBatch), ProgressListener.NONE);
        List<TableSpec> tables = generated.architecture().tables();
        Path psJson = allCached(dir.resolve(SyntheticModelGenerator.PS_JSON));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ParameterServer server = ParameterServer.create(PsConfigCodec.read(psJson).config(), HpsSettings.DEFAULTS, registry)) {
            server.load(LoadProgress.NONE).get(10, TimeUnit.MINUTES);
            LookupServer lookupServer = LookupServer.start(server, "127.0.0.1", 0, 2, 16, 64 << 20, registry);
            LookupClient client = LookupClient.connect(List.of(new InetSocketAddress("127.0.0.1", lookupServer.port())),
                    Duration.ofSeconds(30), Duration.ofSeconds(5));
            try {
                System.out.printf("# %s, scale %s, dimension %d, %d tables, %d rows%n", java.time.Instant.now(), scale,
                        dimension, tables.size(), tables.stream().mapToLong(TableSpec::rows).sum());
                System.out.printf("| batch | samples/s | requests/s | p50 ms | p99 ms | p99.9 ms | max ms |%n");
                System.out.printf("|---:|---:|---:|---:|---:|---:|---:|%n");
                for (int batch : batches) {
                    run(client, tables, batch, seconds);
                }
            } finally {
                client.close();
                lookupServer.close();
            }
        }
    }

    /**
     * The generated ps.json with the whole table in the CPU cache ({@code gpucacheper} 1.0) and
     * hit-rate threshold 1.0, so the few keys a full cache set could not keep are read from the
     * hash map tier rather than answered with defaults.
     */
    private static Path allCached(Path psJson) throws IOException {
        String json = Files.readString(psJson)
                .replaceAll("\"gpucacheper\"\\s*:\\s*[0-9.]+", "\"gpucacheper\": 1.0")
                .replaceAll("\"hit_rate_threshold\"\\s*:\\s*[0-9.]+", "\"hit_rate_threshold\": 1.0");
        Path cached = psJson.resolveSibling("ps-all-cached.json");
        Files.writeString(cached, json);
        return cached;
    }

    private static void run(LookupClient client, List<TableSpec> tables, int batch, int seconds) {
        ByteBuf[] requests = new ByteBuf[REQUESTS_PREPARED];
        SplittableRandom random = new SplittableRandom(batch);
        for (int i = 0; i < requests.length; i++) {
            requests[i] = request(tables, batch, random, i);
        }
        try {
            check(client.lookup(requests[0].retainedDuplicate()).block());
            measure(client, requests, Math.max(2, seconds / 4));
            Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long start = System.nanoTime();
            long done = measure(client, requests, seconds, latency);
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("| %d | %.0f | %.1f | %.2f | %.2f | %.2f | %.2f |%n", batch, done * batch / elapsed,
                    done / elapsed, latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
                    latency.getValueAtPercentile(99.9) / 1e6, latency.getMaxValue() / 1e6);
        } finally {
            for (ByteBuf request : requests) {
                request.release();
            }
        }
    }

    private static void measure(LookupClient client, ByteBuf[] requests, int seconds) {
        measure(client, requests, seconds, new Histogram(TimeUnit.SECONDS.toNanos(60), 2));
    }

    private static long measure(LookupClient client, ByteBuf[] requests, int seconds, Histogram latency) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long done = 0;
        while (System.nanoTime() < end) {
            long sent = System.nanoTime();
            ByteBuf response = client.lookup(requests[(int) (done % requests.length)].retainedDuplicate()).block();
            latency.recordValue(System.nanoTime() - sent);
            response.release();
            done++;
        }
        return done;
    }

    /**
     * Fails unless the frame is a lookup response (OK, or DEFAULTS_USED when a tier read missed its
     * deadline on a loaded machine); releases it.
     */
    private static void check(ByteBuf frame) {
        try {
            FrameType type = FrameHeader.peekType(frame, frame.readerIndex(), frame.readableBytes());
            if (type != FrameType.LOOKUP_RESPONSE) {
                throw new IllegalStateException("lookup failed: frameType=" + type);
            }
            LookupStatus status = new LookupResponseDecoder().wrap(frame, frame.readerIndex(), frame.readableBytes()).status();
            if (status != LookupStatus.OK && status != LookupStatus.DEFAULTS_USED) {
                throw new IllegalStateException("lookup not OK: status=" + status);
            }
        } finally {
            frame.release();
        }
    }

    /** One key per table per sample, uniform over each table's rows; table-major, float32. */
    private static ByteBuf request(List<TableSpec> tables, int batch, SplittableRandom random, long id) {
        int[] counts = new int[tables.size()];
        java.util.Arrays.fill(counts, batch);
        ByteBuf keys = ByteBufAllocator.DEFAULT.heapBuffer(batch * tables.size() * Long.BYTES);
        try {
            for (TableSpec table : tables) {
                for (int s = 0; s < batch; s++) {
                    keys.writeLongLE(random.nextLong(table.rows()));
                }
            }
            RequestContext context = new RequestContext(MODEL, id, 0);
            ByteBuf frame = ByteBufAllocator.DEFAULT.directBuffer(LookupRequestEncoder.frameLength(context, counts));
            LookupRequestEncoder.encode(frame, context, VectorDtype.F32, false, counts, keys);
            return frame;
        } finally {
            keys.release();
        }
    }
}
