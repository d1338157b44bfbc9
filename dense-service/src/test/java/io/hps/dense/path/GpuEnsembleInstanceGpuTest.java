package io.hps.dense.path;

import static org.assertj.core.api.Assertions.assertThat;

import io.hps.dense.gpu.ReferenceCheck;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.dense.GemmPrecision;
import io.hps.transport.Endpoints;
import io.hps.wire.VectorDtype;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GPU ensemble instance as the service opens it ({@link ScoringPaths#openOnGpu} with
 * {@link GpuSettings#ensembleAddress()}) against hps-service's own GPU lookup endpoint ({@code hps.gpu-ipc.*}) over
 * the same generated model, compared with the CPU fused path: relative norm error under 2e-3 (TF32), the tolerance
 * of the other GPU path tests, over the endpoint's shared-memory socket and over TCP. hps-service runs in a child JVM
 * of this test's class path, because CUDA IPC handles cannot be opened by the process that exported them.
 */
@Tag("gpu")
class GpuEnsembleInstanceGpuTest {
    private static final double TF32_TOLERANCE = 2e-3;

    @TempDir
    static Path root;
    static GeneratedModel model;
    static Process hps;
    static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    static ScoringPath cpu;
    static ScoringPath ensemble;
    static ScoringPath ensembleOverTcp;

    @BeforeAll
    static void start() throws Exception {
        model = GeneratedModel.generate(root);
        int port = freePort();
        Path socket = root.resolve("gpu-lookup.sock");
        hps = startHps(port, socket);
        cpu = ScoringPaths.open(settings("cpu-fused", PathKind.FUSED), model.directory(), registry, null);
        ensemble = ScoringPaths.openOnGpu(settings("gpu-ensemble", PathKind.ENSEMBLE), model.directory(), registry,
                GpuRuntime.device(0), new GpuSettings(GemmPrecision.TF32, 30_000,
                        Endpoints.parse("test", "shm:" + socket)));
        ensembleOverTcp = ScoringPaths.openOnGpu(settings("gpu-ensemble-tcp", PathKind.ENSEMBLE), model.directory(),
                registry, GpuRuntime.device(0), new GpuSettings(GemmPrecision.TF32, 30_000,
                        InetSocketAddress.createUnresolved("127.0.0.1", port)));
    }

    /**
     * This JVM's class path as a child JVM needs it: {@code java.class.path} plus the entries of any URL class loader
     * above this class (a console launcher loads the tests and their jars through one).
     */
    private static String classPath() {
        List<String> entries = new ArrayList<>(List.of(System.getProperty("java.class.path")
                .split(File.pathSeparator)));
        for (ClassLoader l = GpuEnsembleInstanceGpuTest.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (URISyntaxException | IllegalArgumentException e) {
                        // not a file: nothing a child JVM could load
                    }
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * hps-service with its GPU endpoint on {@code port} and on shared memory at {@code socket}, returned once the
     * endpoint listens.
     */
    private static Process startHps(int port, Path socket) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-cp", classPath(), "io.hps.service.HpsServiceApplication",
                "--hps.ps-config=" + model.directory().psConfigPath(), "--hps.rsocket.host=127.0.0.1",
                "--hps.rsocket.port=0", "--server.port=0", "--hps.gpu-ipc.enabled=true",
                "--hps.gpu-ipc.port=" + port, "--hps.gpu-ipc.shm-socket=" + socket).redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            System.out.println("hps-service: " + line);
            if (line.contains("GPU lookup endpoint listening")) {
                Thread.ofVirtual().start(() -> out.lines().forEach(l -> System.out.println("hps-service: " + l)));
                return process;
            }
        }
        throw new IllegalStateException("hps-service exited before its GPU endpoint listened: exit="
                + process.waitFor());
    }

    private static PathSettings settings(String name, PathKind kind) {
        return new PathSettings(name, kind, 2, 2, 100, VectorDtype.F32, false, 10_000, PathSettings.MAX_RESPONSE_BYTES);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (ensemble != null) {
            ensemble.close();
        }
        if (ensembleOverTcp != null) {
            ensembleOverTcp.close();
        }
        if (cpu != null) {
            cpu.close();
        }
        GpuRuntime.shutdown();
        if (hps != null) {
            hps.destroy();
            hps.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static float[] score(ScoringPath path, GeneratedModel.Batch batch) {
        float[] out = new float[batch.size()];
        path.score(batch.size(), batch.dense(), batch.keys(), out);
        return out;
    }

    @Test
    void shouldScoreAsTheCpuFusedPathWithinTf32ToleranceOverSharedMemoryAndTcp() {
        for (ScoringPath path : List.of(ensemble, ensembleOverTcp)) {
            assertThat(path.kind()).isEqualTo(PathKind.ENSEMBLE);
            for (int size : new int[] {300, 1, GeneratedModel.MAX_BATCH}) {
                GeneratedModel.Batch batch = model.batch(size, 60 + size);
                float[] onCpu = score(cpu, batch);
                for (int pass = 0; pass < 2; pass++) {
                    double error = ReferenceCheck.relativeError(score(path, batch), onCpu);
                    System.out.printf("%s batch=%d pass=%d relative error vs cpu fused=%.2e%n", path.name(), size,
                            pass, error);
                    assertThat(error).as("%s batch %d pass %d", path.name(), size, pass)
                            .isLessThan(TF32_TOLERANCE);
                }
            }
        }
    }

    @Test
    void shouldServeCallersOfSeveralThreadsOneRequestAtATime() {
        List<GeneratedModel.Batch> batches = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            batches.add(model.batch(64 + i, 70 + i));
            expected.add(score(cpu, batches.getLast()));
        }
        List<CompletableFuture<float[]>> scores = batches.stream()
                .map(b -> CompletableFuture.supplyAsync(() -> score(ensemble, b))).toList();
        for (int i = 0; i < batches.size(); i++) {
            assertThat(ReferenceCheck.relativeError(scores.get(i).join(), expected.get(i))).as("batch %d", i)
                    .isLessThan(TF32_TOLERANCE);
        }
    }
}
