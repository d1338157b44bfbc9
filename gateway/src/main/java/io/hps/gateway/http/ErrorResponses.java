package io.hps.gateway.http;

import io.hps.gateway.backend.BackendFailureException;
import io.hps.gateway.tensor.RejectedRequestException;
import java.util.Map;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Failures as KServe v2 error bodies, {@code {"error": "..."}}: client mistakes 4xx (413 for a body
 * over the limit), load shed 429/503 with {@code Retry-After}, backend trouble 502/503/504.
 */
final class ErrorResponses {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private ErrorResponses() {
    }

    static Mono<ServerResponse> of(Throwable error, long maxBodyBytes) {
        return switch (error) {
            case RejectedRequestException e -> error(e.status(), e.getMessage(), 0);
            case BackendFailureException e -> error(e.status(), e.getMessage(), e.retryAfterSeconds());
            case DataBufferLimitException e -> error(413, "request body exceeds the limit: maxBodyBytes="
                    + maxBodyBytes, 0);
            case IllegalArgumentException e -> error(400, e.getMessage(), 0);
            default -> error(500, "internal error: " + error, 0);
        };
    }

    static Mono<ServerResponse> error(int status, String message, int retryAfterSeconds) {
        ServerResponse.BodyBuilder builder = ServerResponse.status(HttpStatusCode.valueOf(status))
                .contentType(MediaType.APPLICATION_JSON);
        if (retryAfterSeconds > 0) {
            builder.header("Retry-After", Integer.toString(retryAfterSeconds));
        }
        return builder.bodyValue(JSON.writeValueAsBytes(Map.of("error", message == null ? "" : message)));
    }
}
