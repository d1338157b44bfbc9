package io.hps.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The harness's side requests, outside the measured traffic: readiness, a model's metadata, its
 * statistics, and hps-service's Prometheus text. Thread-safe.
 */
final class GatewayProbe implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI gateway;

    GatewayProbe(URI gateway) {
        this.gateway = gateway;
    }

    /** True when {@code GET /v2/health/ready} answers 200; false when it answers otherwise or not at all. */
    boolean ready() throws InterruptedException {
        try {
            return get(gateway.resolve("/v2/health/ready")).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The model's {@code max_batch_size} from its metadata; empty when the model is unknown. */
    Optional<Integer> maxBatchSize(String model) throws IOException, InterruptedException {
        HttpResponse<String> answer = get(gateway.resolve("/v2/models/" + model));
        if (answer.statusCode() != 200) {
            return Optional.empty();
        }
        JsonNode size = JSON.readTree(answer.body()).path("parameters").path("max_batch_size");
        return size.isNumber() ? Optional.of(size.asInt()) : Optional.of(Integer.MAX_VALUE);
    }

    StatsSnapshot statistics(String model) throws IOException, InterruptedException {
        HttpResponse<String> answer = get(gateway.resolve("/v2/models/" + model + "/stats"));
        if (answer.statusCode() != 200) {
            throw new StatisticsFormatException("statistics not answered: model=" + model + " status="
                    + answer.statusCode() + " body=" + answer.body());
        }
        return StatsSnapshot.of(JSON.readTree(answer.body()));
    }

    /** hps-service's lookup counters, or {@link HitRates#NONE} when no metrics URL is given. */
    HitRates hitCounters(Optional<URI> prometheus) throws IOException, InterruptedException {
        if (prometheus.isEmpty()) {
            return HitRates.NONE;
        }
        HttpResponse<String> answer = get(prometheus.get());
        if (answer.statusCode() != 200) {
            throw new StatisticsFormatException("metrics not answered: url=" + prometheus.get() + " status="
                    + answer.statusCode());
        }
        return HitRates.parse(answer.body());
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        client.close();
    }
}
