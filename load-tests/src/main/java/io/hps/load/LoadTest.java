package io.hps.load;

import io.hps.model.config.ModelDirectory;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code LoadTest}: drives the gateway's KServe v2 REST API with binary tensor bodies, as Triton's
 * perf_analyzer does, over every path and batch size asked for (by default the seed study: native,
 * fused and ensemble at 32 .. 131072), and writes {@code results.md}, {@code results.csv},
 * {@code latency.png} and {@code throughput.png} into the output directory. Exit status 0 when the
 * study ran, 2 when the gateway is not ready.
 */
@Command(name = "LoadTest", mixinStandardHelpOptions = true,
        description = "perf_analyzer-style load test of the gateway (KServe v2 REST, binary tensors)")
public final class LoadTest implements Callable<Integer> {
    /** Exit status when the gateway does not answer ready. */
    public static final int NOT_READY = 2;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8000", description = "gateway base URL (${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--model-dir", required = true,
            description = "directory of the served model's model.json (shapes and table rows for the workload)")
    Path modelDir;

    @Option(names = "--paths", defaultValue = "native=dlrm_native,fused=dlrm_fused,ensemble=dlrm_ensemble",
            description = "label=gateway-model pairs, comma-separated (${DEFAULT-VALUE})")
    String paths;

    @Option(names = "--batch-sizes", split = ",",
            defaultValue = "32,64,256,1024,2048,4096,8192,16384,32768,65536,131072",
            description = "batch sizes, ascending (${DEFAULT-VALUE})")
    List<Integer> batchSizes;

    @Option(names = "--mode", defaultValue = "same", description = "same, realistic or cold (${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--concurrency", defaultValue = "1",
            description = "closed loop: requests in flight; open loop: workers (${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--request-rate", defaultValue = "0",
            description = "open loop requests/s, latency from the intended send time; 0 = closed loop (${DEFAULT-VALUE})")
    double requestRate;

    @Option(names = "--warmup-ms", defaultValue = "2000", description = "warm-up per step (${DEFAULT-VALUE})")
    long warmupMillis;

    @Option(names = "--window-ms", defaultValue = "5000", description = "measurement window (${DEFAULT-VALUE})")
    long windowMillis;

    @Option(names = "--stability-percent", defaultValue = "10",
            description = "last three windows within this %% of their mean (${DEFAULT-VALUE})")
    double stabilityPercent;

    @Option(names = "--max-windows", defaultValue = "10", description = "windows per step at most (${DEFAULT-VALUE})")
    int maxWindows;

    @Option(names = "--request-timeout-ms", defaultValue = "120000", description = "per request (${DEFAULT-VALUE})")
    long requestTimeoutMillis;

    @Option(names = "--step-budget-ms", defaultValue = "120000",
            description = "skip a size whose estimated latency x --min-requests exceeds this (${DEFAULT-VALUE})")
    long stepBudgetMillis;

    @Option(names = "--min-requests", defaultValue = "10",
            description = "requests a step needs at least, for the skip estimate (${DEFAULT-VALUE})")
    int minRequests;

    @Option(names = "--distinct-batches", defaultValue = "64",
            description = "realistic/cold: distinct prebuilt batches at most (${DEFAULT-VALUE})")
    int distinctBatches;

    @Option(names = "--body-budget-mib", defaultValue = "256",
            description = "realistic/cold: prebuilt body bytes at most per step, MiB (${DEFAULT-VALUE})")
    long bodyBudgetMib;

    @Option(names = "--hps-metrics", description = "hps-service Prometheus URL, for hit rates, "
            + "e.g. http://127.0.0.1:9101/actuator/prometheus")
    URI hpsMetrics;

    @Option(names = "--out", defaultValue = "seed-study", description = "output directory (${DEFAULT-VALUE})")
    Path out;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new LoadTest()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LoadSettings settings = new LoadSettings(url, "unset", 1, concurrency, requestRate, warmupMillis,
                windowMillis, stabilityPercent, maxWindows, requestTimeoutMillis);
        WorkloadMode workload = WorkloadMode.valueOf(mode.toUpperCase(Locale.ROOT));
        try (GatewayProbe probe = new GatewayProbe(url)) {
            if (!probe.ready()) {
                System.err.println("gateway not ready: GET " + url.resolve("/v2/health/ready")
                        + " did not answer 200; start the pipeline (deploy/run-local.sh) or pass --url");
                return NOT_READY;
            }
            SeedStudy study = new SeedStudy(new Measurement(probe, Optional.ofNullable(hpsMetrics)), probe,
                    ModelDirectory.open(modelDir).architecture(), settings, workload,
                    new SizeBudget(stepBudgetMillis, minRequests),
                    new SeedStudy.BodyBudget(distinctBatches, bodyBudgetMib << 20), System.out);
            List<StepResult> results = study.run(StudyPath.parseAll(paths), batchSizes);
            StudyReport report = new StudyReport(results);
            report.write(out);
            StudyPlots.write(results, out);
            System.out.println();
            System.out.print(report.markdown());
            System.out.println("\nwritten: " + out.toAbsolutePath() + " (results.md, results.csv, latency.png, throughput.png)");
            return 0;
        }
    }
}
