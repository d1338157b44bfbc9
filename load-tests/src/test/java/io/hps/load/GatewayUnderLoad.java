package io.hps.load;

import io.hps.gateway.GatewayApplication;
import io.hps.gateway.ReferenceScoringServer;
import io.hps.model.config.PsConfigFile;
import io.hps.store.HpsSettings;
import io.hps.store.LoadProgress;
import io.hps.store.ParameterServer;
import io.hps.store.TestModel;
import io.hps.transport.LookupServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real gateway on loopback ports with three DLRM models ({@value #NATIVE}, {@value #FUSED},
 * {@value #ENSEMBLE}, each allowing batches up to {@value #MAX_BATCH}) in front of the
 * {@link ReferenceScoringServer}, and an embedding model in front of a real in-process hps-service
 * (ParameterServer + LookupServer), over a generated test model.
 */
final class GatewayUnderLoad implements AutoCloseable {
    static final String NATIVE = "dlrm_native";
    static final String FUSED = "dlrm_fused";
    static final String ENSEMBLE = "dlrm_ensemble";
    static final int MAX_BATCH = 256;

    final TestModel model;
    private final ParameterServer parameterServer;
    private final LookupServer lookupServer;
    private final ReferenceScoringServer scoring;
    private final ConfigurableApplicationContext gateway;
    final int port;

    GatewayUnderLoad(Path root) throws Exception {
        model = TestModel.generate(root);
        PsConfigFile ps = model.psConfig("{\"type\": \"hash_map\", \"num_partitions\": 2}",
                "{\"type\": \"disabled\"}", "");
        parameterServer = ParameterServer.create(ps.config(), HpsSettings.DEFAULTS, new SimpleMeterRegistry());
        parameterServer.load(LoadProgress.NONE).get(60, TimeUnit.SECONDS);
        lookupServer = LookupServer.start(parameterServer, "127.0.0.1", 0, 2, 16, 64 << 20, new SimpleMeterRegistry());
        scoring = new ReferenceScoringServer(model.directory(), Set.of(NATIVE, FUSED, ENSEMBLE));
        Path repository = root.resolve("repository");
        for (String name : new String[] {NATIVE, FUSED, ENSEMBLE}) {
            entry(repository, name, "dlrm", "dense-service", scoring.port(), name,
                    "\"max_batch_size\": " + MAX_BATCH + ", \"path\": \"" + name.substring(5) + "\"");
        }
        entry(repository, "embedding", "embedding", "hps-service", lookupServer.port(), TestModel.NAME, "");
        gateway = new SpringApplication(GatewayApplication.class).run("--server.port=0",
                "--management.server.port=0", "--server.address=127.0.0.1", "--hps.gateway.repository=" + repository);
        port = Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
    }

    private void entry(Path repository, String name, String kind, String service, int backendPort,
                       String backendModel, String extra) throws IOException {
        Path folder = Files.createDirectories(repository.resolve(name));
        Files.writeString(folder.resolve("config.json"), """
                {"name": "%s", "kind": "%s",
                 "backend": {"service": "%s", "addresses": ["127.0.0.1:%d"], "model": "%s", "timeout_us": 20000000},
                 "model_json": "%s"%s}
                """.formatted(name, kind, service, backendPort, backendModel,
                model.directory().resolve("model.json"), extra.isEmpty() ? "" : ", " + extra));
    }

    /**
     * Serves the test setup for a manual sweep: {@code GatewayUnderLoad <directory> <seconds>} prints the
     * gateway URL and the model directory, then stops after {@code seconds} (at most an hour).
     */
    public static void main(String[] args) throws Exception {
        long seconds = Math.clamp(Long.parseLong(args[1]), 1, 3600);
        try (GatewayUnderLoad setup = new GatewayUnderLoad(Files.createDirectories(Path.of(args[0])))) {
            System.out.println("ready url=" + setup.url() + " model-dir=" + setup.model.directory());
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        gateway.close();
        scoring.close();
        lookupServer.close();
        parameterServer.close();
    }
}
