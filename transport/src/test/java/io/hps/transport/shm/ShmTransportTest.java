package io.hps.transport.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.util.ByteBufPayload;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** RSocket over the shared-memory transport between threads and between processes, with real files and sockets. */
class ShmTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<io.rsocket.Closeable> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(io.rsocket.Closeable::dispose);
    }

    private ShmSettings settings(int ringBytes) {
        return new ShmSettings(dir, ringBytes, 100, ShmSettings.DEFAULT_MAX_FRAME_LENGTH);
    }

    private ShmServerTransport.Server server(ShmSettings settings, int mtu) {
        ShmServerTransport.Server server = ShmEchoServer.start(dir.resolve("echo.sock"), settings, mtu);
        open.add(server);
        return server;
    }

    private RSocket client(ShmSettings settings, int mtu) {
        RSocketConnector connector = RSocketConnector.create().payloadDecoder(PayloadDecoder.ZERO_COPY);
        if (mtu > 0) {
            connector.fragment(mtu);
        }
        RSocket rsocket = connector.connect(ShmClientTransport.create(dir.resolve("echo.sock"), settings))
                .block(WAIT);
        open.add(rsocket);
        return rsocket;
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] echo(RSocket rsocket, byte[] request) {
        Payload response = rsocket.requestResponse(ByteBufPayload.create(Unpooled.wrappedBuffer(request)))
                .block(WAIT);
        try {
            return ByteBufUtil.getBytes(response.data());
        } finally {
            response.release();
        }
    }

    @Test
    void shouldEchoFramesSmallerAndLargerThanTheRing() {
        server(settings(64 << 10), 0);
        RSocket rsocket = client(settings(64 << 10), 0);
        for (int length : new int[] {1, 100, 65_000, 65_536, 200_000, 13_631_488}) {
            byte[] request = random(length, length);
            assertThat(echo(rsocket, request)).as("echo of %d bytes", length).isEqualTo(request);
        }
    }

    @Test
    void shouldReassembleFragmentsAboveTheFrameLimit() {
        int mtu = 1 << 20;
        server(settings(1 << 20), mtu);
        RSocket rsocket = client(settings(1 << 20), mtu);
        byte[] request = random(40 << 20, 7);
        assertThat(echo(rsocket, request)).isEqualTo(request);
    }

    @Test
    void shouldKeepEveryFrameIntactUnderConcurrentSenders() throws Exception {
        server(settings(64 << 10), 0);
        RSocket rsocket = client(settings(64 << 10), 0);
        ExecutorService senders = Executors.newFixedThreadPool(6);
        try {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                results.add(CompletableFuture.supplyAsync(() -> {
                    Random sizes = new Random(thread);
                    int checked = 0;
                    for (int i = 0; i < 150; i++) {
                        byte[] request = random(1 + sizes.nextInt(i % 10 == 0 ? 300_000 : 3_000), thread * 1000L + i);
                        assertThat(echo(rsocket, request)).isEqualTo(request);
                        checked++;
                    }
                    return checked;
                }, senders));
            }
            for (CompletableFuture<Integer> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(150);
            }
        } finally {
            senders.shutdownNow();
        }
    }

    @Test
    void shouldDeliverAStreamInOrderWhenTheReaderFallsBehind() {
        server(settings(64 << 10), 0);
        RSocket rsocket = client(settings(64 << 10), 0);
        byte[] request = random(40_000, 3);
        request[0] = (byte) 200;
        List<byte[]> received = rsocket.requestStream(ByteBufPayload.create(Unpooled.wrappedBuffer(request)))
                .map(p -> {
                    try {
                        return ByteBufUtil.getBytes(p.data());
                    } finally {
                        p.release();
                    }
                })
                .collectList().block(WAIT);
        assertThat(received).hasSize(200).allSatisfy(bytes -> assertThat(bytes).isEqualTo(request));
    }

    @Test
    void shouldUnlinkTheMemoryFileOnceBothSidesMappedIt() throws Exception {
        server(settings(64 << 10), 0);
        RSocket rsocket = client(settings(64 << 10), 0);
        assertThat(echo(rsocket, new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("echo.sock");
        }
    }

    @Test
    void shouldCloseTheClientWhenTheServerStops() {
        ShmServerTransport.Server server = server(settings(64 << 10), 0);
        RSocket rsocket = client(settings(64 << 10), 0);
        assertThat(echo(rsocket, new byte[] {9})).containsExactly(9);
        server.dispose();
        rsocket.onClose().block(WAIT);
        assertThat(rsocket.isDisposed()).isTrue();
        assertThat(dir.resolve("echo.sock")).doesNotExist();
    }

    @Test
    void shouldCloseTheServersConnectionWhenTheClientLeaves() throws Exception {
        ShmServerTransport.Server server = server(settings(64 << 10), 0);
        RSocket rsocket = client(settings(64 << 10), 0);
        assertThat(echo(rsocket, new byte[] {9})).containsExactly(9);
        assertThat(server.connections()).isEqualTo(1);
        rsocket.dispose();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.connections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.connections()).isZero();
    }

    @Test
    void shouldWakeASleepingPeer() throws Exception {
        ShmSettings noSpin = settings(64 << 10).withSpinMicros(0);
        server(noSpin, 0);
        RSocket rsocket = client(noSpin, 0);
        for (int i = 0; i < 20; i++) {
            Thread.sleep(5);
            byte[] request = random(1 + i * 5000, i);
            assertThat(echo(rsocket, request)).isEqualTo(request);
        }
    }

    @Test
    void shouldServeAnotherProcessAndNoticeWhenItDies() throws Exception {
        Path socket = dir.resolve("echo.sock");
        Process peer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ShmEchoServer.class.getName(), socket.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        if (line.equals("ready")) {
                            return line;
                        }
                    }
                    return "exited";
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            }).get(30, TimeUnit.SECONDS)).isEqualTo("ready");
            RSocket rsocket = client(settings(64 << 10), 0);
            byte[] request = random(1_000_000, 11);
            assertThat(echo(rsocket, request)).isEqualTo(request);
            peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            rsocket.onClose().block(WAIT);
            assertThat(rsocket.isDisposed()).isTrue();
        } finally {
            peer.destroyForcibly();
        }
    }

    @Test
    void shouldNameTheSocketWhenNoServerListens() {
        Path missing = dir.resolve("missing.sock");
        assertThatThrownBy(() -> ShmClientTransport.create(missing, settings(64 << 10)).connect().block(WAIT))
                .hasMessageContaining(missing.toString());
    }

    @Test
    void shouldRefuseToReplaceAFileThatIsNotASocket() throws Exception {
        Path taken = Files.writeString(dir.resolve("taken.sock"), "data");
        assertThatThrownBy(() -> ShmServerTransport.create(taken, settings(64 << 10))
                .start(c -> Mono.never()).block(WAIT))
                .hasMessageContaining("not a socket");
        assertThat(Files.readString(taken)).isEqualTo("data");
    }

    @Test
    void shouldPollByDefaultOnlyWithCoresToSpare() {
        assertThat(ShmSettings.defaultSpinMicros(2)).isZero();
        assertThat(ShmSettings.defaultSpinMicros(ShmSettings.MIN_CORES_TO_POLL)).isEqualTo(100);
        assertThat(ShmSettings.defaultSpinMicros(16)).isEqualTo(100);
    }

    @Test
    void shouldRejectRingsThatAreNotAPowerOfTwo() {
        assertThatThrownBy(() -> settings(100_000)).hasMessageContaining("power of two");
    }
}
