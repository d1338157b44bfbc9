package io.hps.gateway.http;

import io.hps.gateway.repository.ModelRepository;
import io.hps.gateway.repository.ServedModel;
import io.hps.gateway.stats.ModelStatistics;
import io.hps.gateway.stats.TimedCount;
import io.hps.gateway.tensor.RejectedRequestException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The KServe v2 endpoints besides inference: server metadata, liveness and readiness, model
 * metadata and readiness, and Triton's statistics extension. Thread-safe.
 */
public final class ModelEndpoints {
    static final String SERVER_NAME = "hps-gateway";
    static final String SERVER_VERSION = "0.1.0";

    private final ModelRepository repository;
    private final Map<String, ModelStatistics> statistics;
    private final BooleanSupplier ready;

    /** @param ready whether the gateway serves (start-up finished, not shutting down) */
    public ModelEndpoints(ModelRepository repository, Map<String, ModelStatistics> statistics, BooleanSupplier ready) {
        this.repository = repository;
        this.statistics = statistics;
        this.ready = ready;
    }

    /** The model named by the path, in the version asked for if any; 404 otherwise. */
    static ServedModel model(ModelRepository repository, ServerRequest request) {
        String name = request.pathVariable("model");
        ServedModel model = repository.model(name).orElseThrow(() -> new RejectedRequestException(404,
                "unknown model: " + name));
        String version = request.pathVariables().get("version");
        if (version != null && !version.equals(model.version())) {
            throw new RejectedRequestException(404, "unknown version " + version + " of model " + name
                    + ": served version is " + model.version());
        }
        return model;
    }

    public Mono<ServerResponse> server(ServerRequest request) {
        return json(Map.of("name", SERVER_NAME, "version", SERVER_VERSION,
                "extensions", List.of("binary_tensor_data", "statistics")));
    }

    public Mono<ServerResponse> live(ServerRequest request) {
        return ServerResponse.ok().build();
    }

    public Mono<ServerResponse> ready(ServerRequest request) {
        return ready.getAsBoolean() ? ServerResponse.ok().build()
                : ErrorResponses.error(503, "gateway is not ready", 1);
    }

    public Mono<ServerResponse> modelReady(ServerRequest request) {
        try {
            model(repository, request);
            return ready(request);
        } catch (RejectedRequestException e) {
            return ErrorResponses.of(e, 0);
        }
    }

    public Mono<ServerResponse> metadata(ServerRequest request) {
        try {
            ServedModel model = model(repository, request);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", model.name());
            body.put("versions", List.of(model.version()));
            body.put("platform", "hps_" + model.kind().label());
            body.put("inputs", specs(ModelInputs.inputs(model)));
            body.put("outputs", specs(ModelInputs.outputs(model)));
            body.put("parameters", Map.of("path", model.path().label(), "backend", model.backend().service().label(),
                    "backend_model", model.backend().model(), "max_batch_size", model.maxBatchSize(),
                    "key_policy", model.keyPolicy().label()));
            return json(body);
        } catch (RejectedRequestException e) {
            return ErrorResponses.of(e, 0);
        }
    }

    /** {@code GET /v2/models/stats} (every model) or {@code GET /v2/models/{m}/stats}. */
    public Mono<ServerResponse> stats(ServerRequest request) {
        try {
            List<ServedModel> models = request.pathVariables().containsKey("model")
                    ? List.of(model(repository, request))
                    : List.copyOf(repository.models());
            List<Object> entries = new ArrayList<>();
            for (ServedModel model : models) {
                entries.add(stats(statistics.get(model.name())));
            }
            return json(Map.of("model_stats", entries));
        } catch (RejectedRequestException e) {
            return ErrorResponses.of(e, 0);
        }
    }

    private static Map<String, Object> stats(ModelStatistics s) {
        Map<String, Object> inference = new LinkedHashMap<>();
        inference.put("success", duration(s.success()));
        inference.put("fail", duration(s.failure()));
        inference.put("queue", duration(s.queue()));
        inference.put("compute_input", duration(s.computeInput()));
        inference.put("compute_infer", duration(s.computeInfer()));
        inference.put("compute_output", duration(s.computeOutput()));
        List<Object> batches = new ArrayList<>();
        for (ModelStatistics.BatchStatistics batch : s.batches()) {
            batches.add(Map.of("batch_size", batch.batchSize(), "compute_input", duration(batch.computeInput()),
                    "compute_infer", duration(batch.computeInfer())));
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", s.model());
        entry.put("version", s.version());
        entry.put("last_inference", s.lastInferenceMillis());
        entry.put("inference_count", s.inferenceCount());
        entry.put("execution_count", s.executionCount());
        entry.put("inference_stats", inference);
        entry.put("batch_stats", batches);
        return entry;
    }

    private static Map<String, Object> duration(TimedCount duration) {
        return Map.of("count", duration.count(), "ns", duration.nanos());
    }

    private static List<Object> specs(List<ModelInputs.Spec> specs) {
        return specs.stream().<Object>map(s -> Map.of("name", s.name(), "datatype", s.datatype().name(),
                "shape", s.shape())).toList();
    }

    private static Mono<ServerResponse> json(Object body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .bodyValue(ErrorResponses.JSON.writeValueAsBytes(body));
    }
}
