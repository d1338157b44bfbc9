package io.hps.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code POST /v2/models/{m}/infer} with a binary extension body over one HTTP/1.1 client of its
 * own, so each worker keeps one connection, as perf_analyzer does. The answer's body is read and
 * discarded.
 */
final class GatewayExchange implements Exchange {
    private final HttpClient client;
    private final URI uri;
    private final String headerLength;
    private final Duration timeout;

    GatewayExchange(URI gateway, String model, int headerLength, long timeoutMillis) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.uri = gateway.resolve("/v2/models/" + model + "/infer");
        this.headerLength = Integer.toString(headerLength);
        this.timeout = Duration.ofMillis(timeoutMillis);
    }

    @Override
    public boolean send(byte[] body) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", headerLength)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
