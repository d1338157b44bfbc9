package io.hps.gateway.http;

import io.hps.gateway.backend.BackendFailureException;
import io.hps.gateway.backend.ModelRoutes;
import io.hps.gateway.repository.ModelKind;
import io.hps.gateway.repository.ModelRepository;
import io.hps.gateway.repository.ServedModel;
import io.hps.gateway.stats.ModelStatistics;
import io.hps.gateway.tensor.Datatype;
import io.hps.gateway.tensor.InferenceRequest;
import io.hps.gateway.tensor.InferenceRequestReader;
import io.hps.gateway.tensor.InferenceResponseWriter;
import io.hps.gateway.tensor.InputTensor;
import io.hps.gateway.tensor.OutputTensor;
import io.hps.gateway.tensor.RejectedRequestException;
import io.hps.gateway.tensor.ResponseBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v2/models/{m}/infer}: aggregates the body (up to the limit) into one buffer, reads
 * it (JSON or binary extension), checks it against the model, hands the tensors to the model's
 * route without copying them and writes the response. The body buffer is released once the
 * request is read; the tensors (slices of it, or buffers the JSON was parsed into) when the
 * exchange ends, however it ends. A client that disconnects cancels the chain, which cancels the
 * backend request. Runs on the event loop; never blocks.
 */
public final class InferenceHandler {
    /** Triton's binary data extension header: bytes of JSON before the binary tensors. */
    public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private final ModelRepository repository;
    private final ModelRoutes routes;
    private final Map<String, ModelStatistics> statistics;
    private final InferenceRequestReader reader;
    private final InferenceResponseWriter writer;
    private final NettyDataBufferFactory buffers;
    private final int maxBodyBytes;

    public InferenceHandler(ModelRepository repository, ModelRoutes routes, Map<String, ModelStatistics> statistics,
                            int maxBodyBytes, int maxJsonDepth, ByteBufAllocator allocator) {
        this.repository = repository;
        this.routes = routes;
        this.statistics = statistics;
        this.reader = new InferenceRequestReader(maxJsonDepth);
        this.writer = new InferenceResponseWriter(allocator);
        this.buffers = new NettyDataBufferFactory(allocator);
        this.maxBodyBytes = maxBodyBytes;
    }

    public Mono<ServerResponse> infer(ServerRequest request) {
        long start = System.nanoTime();
        ServedModel model;
        int headerLength;
        try {
            model = ModelEndpoints.model(repository, request);
            headerLength = headerLength(request);
            checkContentLength(request);
        } catch (RejectedRequestException e) {
            return ErrorResponses.of(e, maxBodyBytes);
        }
        ModelStatistics stats = statistics.get(model.name());
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxBodyBytes)
                .map(body -> read(body, headerLength))
                .flatMap(inference -> Mono.defer(() -> run(model, stats, inference))
                        .doFinally(signal -> inference.close()))
                .doOnNext(response -> stats.success(System.nanoTime() - start))
                .onErrorResume(error -> {
                    stats.failure(System.nanoTime() - start);
                    return ErrorResponses.of(error, maxBodyBytes);
                });
    }

    private InferenceRequest read(DataBuffer body, int headerLength) {
        try {
            return reader.read(NettyDataBufferFactory.toByteBuf(body), headerLength);
        } finally {
            DataBufferUtils.release(body);
        }
    }

    private Mono<ServerResponse> run(ServedModel model, ModelStatistics stats, InferenceRequest inference) {
        ModelInputs.checkNames(model, inference);
        long timeoutMicros = inference.timeoutMicros().orElse(model.defaultTimeoutMicros());
        long deadline = timeoutMicros == 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMicros * 1000;
        Mono<OutputTensor> output = model.kind() == ModelKind.DLRM
                ? score(model, inference, deadline)
                : lookup(model, inference, deadline);
        if (timeoutMicros > 0) {
            output = output.timeout(Duration.ofNanos(timeoutMicros * 1000))
                    .onErrorMap(TimeoutException.class, e -> new BackendFailureException(504,
                            "deadline exceeded: timeout_us=" + timeoutMicros, 0));
        }
        return output.doOnDiscard(OutputTensor.class, t -> t.data().release())
                .flatMap(tensor -> respond(model, stats, inference, tensor));
    }

    private Mono<OutputTensor> score(ServedModel model, InferenceRequest inference, long deadline) {
        int batch = ModelInputs.dlrmBatch(model, inference);
        InputTensor dense = inference.input(ModelInputs.DENSE).orElseThrow();
        InputTensor keys = inference.input(ModelInputs.CATEGORICAL).orElseThrow();
        return routes.score(model.name(), dense.data(), keys.data(), batch, deadline)
                .map(scores -> new OutputTensor(ModelInputs.SCORE, Datatype.FP32, new long[] {batch, 1}, scores));
    }

    private Mono<OutputTensor> lookup(ServedModel model, InferenceRequest inference, long deadline) {
        int[] counts = ModelInputs.embeddingCounts(model, inference);
        InputTensor keys = inference.input(ModelInputs.KEYS).orElseThrow();
        boolean batched = keys.shape().length == 2;
        return routes.lookup(model.name(), counts, keys.data(), deadline)
                .map(vectors -> {
                    long elements = vectors.readableBytes() / Float.BYTES;
                    long[] shape = batched ? new long[] {1, elements} : new long[] {elements};
                    return new OutputTensor(ModelInputs.VECTORS, Datatype.FP32, shape, vectors);
                });
    }

    private Mono<ServerResponse> respond(ServedModel model, ModelStatistics stats, InferenceRequest inference,
                                         OutputTensor tensor) {
        long start = System.nanoTime();
        ResponseBody body = writer.write(model.name(), model.version(), inference, List.of(tensor));
        stats.output(System.nanoTime() - start);
        ServerResponse.BodyBuilder builder = ServerResponse.ok();
        if (body.binary()) {
            builder.contentType(MediaType.APPLICATION_OCTET_STREAM)
                    .header(HEADER_LENGTH, Integer.toString(body.headerLength()));
        } else {
            builder.contentType(MediaType.APPLICATION_JSON);
        }
        return builder.contentLength(body.bytes().readableBytes())
                .body(BodyInserters.fromDataBuffers(Mono.just(buffers.wrap(body.bytes()))));
    }

    private static int headerLength(ServerRequest request) {
        String value = request.headers().firstHeader(HEADER_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            int length = Integer.parseInt(value.trim());
            if (length < 0) {
                throw RejectedRequestException.badRequest(HEADER_LENGTH + " is negative: " + value);
            }
            return length;
        } catch (NumberFormatException e) {
            throw RejectedRequestException.badRequest(HEADER_LENGTH + " is not a number: " + value);
        }
    }

    private void checkContentLength(ServerRequest request) {
        OptionalLong length = request.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBodyBytes) {
            throw new RejectedRequestException(413, "request body exceeds the limit: contentLength="
                    + length.getAsLong() + " maxBodyBytes=" + maxBodyBytes);
        }
    }
}
