package io.hps.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code LoadTest} command against the real gateway, hps-service and a reference scoring backend. */
@Tag("slow")
class LoadTestAgainstGatewayTest {
    @TempDir
    static Path root;
    static GatewayUnderLoad gateway;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("java.awt.headless", "true");
        gateway = new GatewayUnderLoad(root);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static int loadTest(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("--url", gateway.url(), "--model-dir",
                gateway.model.directory().toString(), "--out", out.toString(), "--warmup-ms", "300",
                "--window-ms", "400", "--max-windows", "4"));
        args.addAll(List.of(extra));
        return new CommandLine(new LoadTest()).execute(args.toArray(String[]::new));
    }

    /** CSV rows as column name -> value. */
    private static List<Map<String, String>> csv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.getFirst().split(",");
        assertThat(String.join(",", header)).isEqualTo(StudyReport.CSV_HEADER);
        return lines.stream().skip(1).map(line -> line.split(",", header.length))
                .map(cells -> IntStream.range(0, header.length).boxed()
                        .collect(Collectors.toMap(i -> header[i], i -> cells[i])))
                .toList();
    }

    private static double number(Map<String, String> row, String column) {
        return Double.parseDouble(row.get(column));
    }

    private static void assertMeasured(Map<String, String> row) {
        assertThat(row.get("skipped")).isEqualTo("false");
        assertThat(number(row, "requests")).isPositive();
        assertThat(number(row, "errors")).isZero();
        assertThat(number(row, "samples_per_s")).isCloseTo(number(row, "requests_per_s") * number(row, "batch"),
                withPercentage(0.01));
        List<Double> percentiles = Arrays.stream(new String[] {"p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms"})
                .map(c -> number(row, c)).toList();
        assertThat(percentiles.getFirst()).isPositive();
        assertThat(percentiles).isSorted();
        assertThat(number(row, "server_requests")).isPositive();
        assertThat(number(row, "server_ms")).isPositive();
        assertThat(number(row, "compute_infer_ms")).isPositive().isLessThanOrEqualTo(number(row, "server_ms"));
        assertThat(number(row, "compute_input_ms")).isPositive();
    }

    @Test
    void shouldSweepPathsAndSizesInTheClosedLoopAndWriteTablesCsvAndPlots() throws IOException {
        Path out = root.resolve("closed");
        int status = loadTest(out, "--paths", "native=dlrm_native,fused=dlrm_fused", "--batch-sizes", "8,64,512",
                "--concurrency", "2", "--mode", "realistic");
        assertThat(status).isZero();

        List<Map<String, String>> rows = csv(out.resolve("results.csv"));
        assertThat(rows).extracting(r -> r.get("path") + "@" + r.get("batch"))
                .containsExactly("native@8", "native@64", "native@512", "fused@8", "fused@64", "fused@512");
        Map<String, Map<String, String>> byStep = rows.stream()
                .collect(Collectors.toMap(r -> r.get("path") + "@" + r.get("batch"), Function.identity()));
        for (String step : List.of("native@8", "native@64", "fused@8", "fused@64")) {
            assertMeasured(byStep.get(step));
        }
        assertThat(byStep.get("native@512").get("skipped")).isEqualTo("true");
        assertThat(byStep.get("native@512").get("note")).contains("max_batch_size=" + GatewayUnderLoad.MAX_BATCH);

        String markdown = Files.readString(out.resolve("results.md"));
        assertThat(markdown).contains("| batch | native (ms) | fused (ms) |", "| batch | native (K samples/s) | fused (K samples/s) |",
                "| 512 | skipped | skipped |");
        for (String plot : List.of("latency.png", "throughput.png")) {
            BufferedImage image = ImageIO.read(out.resolve(plot).toFile());
            assertThat(image).as(plot).isNotNull();
            assertThat(image.getWidth()).isEqualTo(StudyPlots.WIDTH);
            assertThat(image.getHeight()).isEqualTo(StudyPlots.HEIGHT);
        }
    }

    @Test
    void shouldHoldTheOpenLoopToItsRequestRate() throws IOException {
        Path out = root.resolve("open");
        int status = loadTest(out, "--paths", "ensemble=dlrm_ensemble", "--batch-sizes", "16", "--request-rate", "40",
                "--concurrency", "4", "--mode", "cold");
        assertThat(status).isZero();

        Map<String, String> row = csv(out.resolve("results.csv")).getFirst();
        assertMeasured(row);
        assertThat(number(row, "target_requests_per_s")).isEqualTo(40.0);
        assertThat(number(row, "requests_per_s")).as("an open loop sends on its schedule, not faster")
                .isLessThan(40 * 1.5);
        assertThat(row.get("mode")).isEqualTo("cold");
    }

    @Test
    void shouldRefuseAGatewayThatIsNotReady() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        int status = new CommandLine(new LoadTest()).execute("--url", "http://127.0.0.1:" + port, "--model-dir",
                gateway.model.directory().toString(), "--out", root.resolve("none").toString());
        assertThat(status).isEqualTo(LoadTest.NOT_READY);
        assertThat(root.resolve("none")).doesNotExist();
    }
}
