package io.hps.bench.transport;

import io.hps.transport.Endpoints;
import io.hps.transport.shm.ShmServerTransport;
import io.hps.transport.shm.ShmSettings;
import io.hps.transport.tcp.FrameTransports;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.util.ByteBufPayload;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Mono;

/**
 * RSocket request-response round trips between two JVMs of this host, over loopback TCP (the services' frame
 * transport, {@link FrameTransports}) and over shared memory ({@link ShmServerTransport}), side by side: the echo
 * server runs in a child JVM listening on both, and each round sends {@code --requests} echoes of each payload size
 * over each transport, the transports' order alternating from round to round. Prints, per size and transport, the
 * median and p99 of all round trips and the median over rounds of the per-round ratio TCP / shared memory.
 *
 * <p>The caller waits for each response by polling ({@code --caller spin}, the default, so that a thread wake-up is
 * not measured) or by blocking ({@code --caller block}). The server echoes on the connection's thread (the event loop
 * or the shared-memory polling thread).
 *
 * <p>Command line: {@code [--sizes 72,16384,1048576,13631488] [--rounds 15] [--requests 200] [--spin-micros 100]
 * [--caller spin|block]}.
 */
public final class EchoRoundTrip {
    private EchoRoundTrip() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        long spin = Long.parseLong(options.getOrDefault("--spin-micros", "100"));
        if (options.containsKey("--serve")) {
            serve(Path.of(options.get("--serve")), spin);
            return;
        }
        int[] sizes = Arrays.stream(options.getOrDefault("--sizes", "72,16384,1048576,13631488").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.parseInt(options.getOrDefault("--rounds", "15"));
        int requests = Integer.parseInt(options.getOrDefault("--requests", "200"));
        boolean spinCaller = !options.getOrDefault("--caller", "spin").equals("block");
        Path socket = Path.of(System.getProperty("java.io.tmpdir"), "hps-echo-" + ProcessHandle.current().pid()
                + ".sock");
        Process server = startServer(socket, spin);
        try {
            int port = awaitReady(server);
            ShmSettings shm = Endpoints.shmSettings().withSpinMicros(spin);
            Map<String, RSocket> clients = new LinkedHashMap<>();
            clients.put("tcp", connect(FrameTransports.client(new InetSocketAddress("127.0.0.1", port))));
            clients.put("shm", connect(Endpoints.client(UnixDomainSocketAddress.of(socket), shm)));
            System.out.printf(Locale.ROOT, "echo server ready: tcp port %d, shm %s; %d cores, spin %d us, caller %s%n",
                    port, socket, Runtime.getRuntime().availableProcessors(), spin, spinCaller ? "spins" : "blocks");
            System.out.println("| payload (bytes) | tcp p50 (us) | tcp p99 (us) | shm p50 (us) | shm p99 (us) "
                    + "| tcp / shm (median of rounds) |");
            System.out.println("|---:|---:|---:|---:|---:|---:|");
            for (int size : sizes) {
                measure(size, clients, rounds, requests, spinCaller);
            }
            clients.values().forEach(RSocket::dispose);
        } finally {
            server.getOutputStream().close();
            server.waitFor();
            Files.deleteIfExists(socket);
        }
    }

    private static void measure(int size, Map<String, RSocket> clients, int rounds, int requests, boolean spinCaller) {
        byte[] body = new byte[size];
        Arrays.fill(body, (byte) 7);
        int warmUp = Math.max(20, requests / 2);
        for (RSocket rsocket : clients.values()) {
            for (int i = 0; i < warmUp; i++) {
                roundTrip(rsocket, body, spinCaller);
            }
        }
        Map<String, List<Double>> all = new LinkedHashMap<>();
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<String> order = new ArrayList<>(clients.keySet());
            if (r % 2 == 1) {
                order = order.reversed();
            }
            Map<String, Double> roundMedian = new LinkedHashMap<>();
            for (String name : order) {
                double[] us = new double[requests];
                for (int i = 0; i < requests; i++) {
                    us[i] = roundTrip(clients.get(name), body, spinCaller) / 1e3;
                }
                Arrays.sort(us);
                roundMedian.put(name, us[requests / 2]);
                List<Double> list = all.computeIfAbsent(name, k -> new ArrayList<>());
                for (double u : us) {
                    list.add(u);
                }
            }
            ratios.add(roundMedian.get("tcp") / roundMedian.get("shm"));
            System.err.printf(Locale.ROOT, "payload %d round %d/%d: tcp %.1f us, shm %.1f us%n", size, r + 1, rounds,
                    roundMedian.get("tcp"), roundMedian.get("shm"));
        }
        double[] tcp = sorted(all.get("tcp"));
        double[] shm = sorted(all.get("shm"));
        System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f | %.2f |%n", size, tcp[tcp.length / 2],
                tcp[(int) (tcp.length * 0.99)], shm[shm.length / 2], shm[(int) (shm.length * 0.99)],
                sorted(ratios)[ratios.size() / 2]);
    }

    private static double[] sorted(List<Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }

    /** One echo; nanoseconds from the request's creation to the response in hand. */
    private static long roundTrip(RSocket rsocket, byte[] body, boolean spinCaller) {
        long start = System.nanoTime();
        ByteBuf data = ByteBufAllocator.DEFAULT.directBuffer(body.length).writeBytes(body);
        CompletableFuture<Payload> response = rsocket.requestResponse(ByteBufPayload.create(data)).toFuture();
        if (spinCaller) {
            while (!response.isDone()) {
                Thread.onSpinWait();
            }
        }
        Payload payload = response.join();
        long elapsed = System.nanoTime() - start;
        if (payload.data().readableBytes() != body.length) {
            throw new IllegalStateException("echo of " + body.length + " bytes came back with "
                    + payload.data().readableBytes());
        }
        payload.release();
        return elapsed;
    }

    private static RSocket connect(ClientTransport transport) {
        return RSocketConnector.create().payloadDecoder(PayloadDecoder.ZERO_COPY).fragment(FrameTransports.FRAGMENT_MTU)
                .connect(transport).block();
    }

    private static void serve(Path socket, long spin) throws Exception {
        RSocketServer rsocket = RSocketServer.create(SocketAcceptor.forRequestResponse(Mono::just))
                .payloadDecoder(PayloadDecoder.ZERO_COPY).fragment(FrameTransports.FRAGMENT_MTU);
        CloseableChannel tcp = rsocket.bind(FrameTransports.server("127.0.0.1", 0)).block();
        ShmServerTransport.Server shm = rsocket.bind(ShmServerTransport.create(socket,
                Endpoints.shmSettings().withSpinMicros(spin))).block();
        System.out.println("ready port=" + tcp.address().getPort());
        System.out.flush();
        System.in.transferTo(OutputStream.nullOutputStream());
        shm.dispose();
        tcp.dispose();
    }

    private static Process startServer(Path socket, long spin) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoRoundTrip.class.getName(),
                "--serve", socket.toString(), "--spin-micros", Long.toString(spin)));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int awaitReady(Process server) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("ready port=")) {
                return Integer.parseInt(line.substring("ready port=".length()).trim());
            }
        }
        throw new IllegalStateException("echo server exited before it was ready: exit=" + server.waitFor());
    }
}
