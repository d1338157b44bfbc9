package io.hps.gateway.stats;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * Inference statistics of one served model, kept as Triton keeps them: request success and
 * failure, queue, compute input/infer/output durations, inference (sample) and execution (batch)
 * counts, and per batch size. Feeds both {@code GET /v2/models/{m}/stats} and the Prometheus
 * meters, which are registered once per model under Triton's names with tags {@code model} and
 * {@code version}: {@code nv_inference_request_success}, {@code nv_inference_request_failure},
 * {@code nv_inference_count}, {@code nv_inference_exec_count}, {@code nv_inference_pending_request_count}
 * and the cumulative microsecond sums {@code nv_inference_request_duration_us},
 * {@code nv_inference_queue_duration_us}, {@code nv_inference_compute_input_duration_us},
 * {@code nv_inference_compute_infer_duration_us}, {@code nv_inference_compute_output_duration_us}.
 * They are gauges over monotonic sums, so the exposition keeps Triton's exact names (a Prometheus
 * counter would gain a {@code _total} suffix); {@code rate()} works on them as on counters.
 * Thread-safe.
 */
public final class ModelStatistics {
    private final String model;
    private final String version;
    private volatile Timer latency;
    private final TimedCount success = new TimedCount();
    private final TimedCount failure = new TimedCount();
    private final TimedCount queue = new TimedCount();
    private final TimedCount computeInput = new TimedCount();
    private final TimedCount computeInfer = new TimedCount();
    private final TimedCount computeOutput = new TimedCount();
    private final LongAdder inferences = new LongAdder();
    private final LongAdder executions = new LongAdder();
    private final AtomicLong lastInferenceMillis = new AtomicLong();
    private final Map<Integer, BatchStatistics> batches = new ConcurrentSkipListMap<>();

    public ModelStatistics(String model, String version) {
        this.model = model;
        this.version = version;
    }

    /**
     * Registers this model's meters; call once per model. Besides Triton's cumulative
     * {@code nv_inference_*} figures, {@code gateway.infer.latency{model,path}} is a histogram of
     * request durations, for percentiles per serving path.
     */
    public ModelStatistics register(MeterRegistry registry, ToDoubleFunction<ModelStatistics> pendingRequests,
                                    String path) {
        latency = Timer.builder("gateway.infer.latency").description("inference request duration")
                .tags("model", model, "path", path).publishPercentileHistogram().register(registry);
        Tags tags = Tags.of("model", model, "version", version);
        gauge(registry, "nv_inference_request_success", "successful inference requests", tags, s -> s.success.count());
        gauge(registry, "nv_inference_request_failure", "failed inference requests", tags, s -> s.failure.count());
        gauge(registry, "nv_inference_count", "inferences (samples) performed", tags, s -> s.inferences.sum());
        gauge(registry, "nv_inference_exec_count", "batch executions performed", tags, s -> s.executions.sum());
        gauge(registry, "nv_inference_request_duration_us", "cumulative request duration, microseconds", tags,
                s -> s.success.micros() + s.failure.micros());
        gauge(registry, "nv_inference_queue_duration_us", "cumulative queue duration, microseconds", tags,
                s -> s.queue.micros());
        gauge(registry, "nv_inference_compute_input_duration_us", "cumulative compute input duration, microseconds",
                tags, s -> s.computeInput.micros());
        gauge(registry, "nv_inference_compute_infer_duration_us", "cumulative compute infer duration, microseconds",
                tags, s -> s.computeInfer.micros());
        gauge(registry, "nv_inference_compute_output_duration_us",
                "cumulative compute output duration, microseconds", tags, s -> s.computeOutput.micros());
        gauge(registry, "nv_inference_pending_request_count", "requests waiting for a batch", tags, pendingRequests);
        return this;
    }

    private void record(long nanos) {
        Timer timer = latency;
        if (timer != null) {
            timer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void gauge(MeterRegistry registry, String name, String description, Tags tags,
                       ToDoubleFunction<ModelStatistics> value) {
        Gauge.builder(name, this, value).description(description).tags(tags).register(registry);
    }

    /** A request answered successfully after {@code nanos}. */
    public void success(long nanos) {
        success.add(nanos);
        record(nanos);
        lastInferenceMillis.set(System.currentTimeMillis());
    }

    /** A request answered with an error after {@code nanos}. */
    public void failure(long nanos) {
        failure.add(nanos);
        record(nanos);
    }

    /** One request waited {@code nanos} in the batching queue. */
    public void queued(long nanos) {
        queue.add(nanos);
    }

    /** One batch of {@code samples} ran: input preparation, backend round trip. */
    public void executed(int samples, long inputNanos, long inferNanos) {
        computeInput.add(inputNanos);
        computeInfer.add(inferNanos);
        inferences.add(samples);
        executions.increment();
        BatchStatistics batch = batches.computeIfAbsent(samples, BatchStatistics::new);
        batch.computeInput.add(inputNanos);
        batch.computeInfer.add(inferNanos);
    }

    /** One request's response was written in {@code nanos}. */
    public void output(long nanos) {
        computeOutput.add(nanos);
    }

    public String model() {
        return model;
    }

    public String version() {
        return version;
    }

    public TimedCount success() {
        return success;
    }

    public TimedCount failure() {
        return failure;
    }

    public TimedCount queue() {
        return queue;
    }

    public TimedCount computeInput() {
        return computeInput;
    }

    public TimedCount computeInfer() {
        return computeInfer;
    }

    public TimedCount computeOutput() {
        return computeOutput;
    }

    public long inferenceCount() {
        return inferences.sum();
    }

    public long executionCount() {
        return executions.sum();
    }

    /** Milliseconds since the epoch of the last success, 0 before the first. */
    public long lastInferenceMillis() {
        return lastInferenceMillis.get();
    }

    /** Per executed batch size, ascending. */
    public Iterable<BatchStatistics> batches() {
        return batches.values();
    }

    /** Durations of the batches of one size. */
    public static final class BatchStatistics {
        private final int batchSize;
        private final TimedCount computeInput = new TimedCount();
        private final TimedCount computeInfer = new TimedCount();

        BatchStatistics(int batchSize) {
            this.batchSize = batchSize;
        }

        public int batchSize() {
            return batchSize;
        }

        public TimedCount computeInput() {
            return computeInput;
        }

        public TimedCount computeInfer() {
            return computeInfer;
        }
    }
}
