package io.hps.dense.path;

import io.hps.wire.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one served instance, registered once: {@code dense.requests{model,path,result}}
 * (result {@code ok} or the lowercase {@link ErrorCode}), {@code dense.compute.latency{model,path}}
 * (the dense network), {@code dense.lookup.latency{model,path}} (embeddings gathered, remote
 * round trip included) and {@code dense.batch.size{model,path}}. Thread-safe.
 */
public final class PathMetrics {
    private final Counter ok;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final Timer compute;
    private final Timer lookup;
    private final DistributionSummary batchSize;

    public PathMetrics(MeterRegistry registry, String model, PathKind kind) {
        String path = kind.tagValue();
        ok = requests(registry, model, path, "ok");
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, requests(registry, model, path, code.name().toLowerCase(Locale.ROOT)));
        }
        compute = Timer.builder("dense.compute.latency").tags("model", model, "path", path)
                .description("dense network forward of one batch").publishPercentileHistogram().register(registry);
        lookup = Timer.builder("dense.lookup.latency").tags("model", model, "path", path)
                .description("embeddings of one batch gathered").publishPercentileHistogram().register(registry);
        batchSize = DistributionSummary.builder("dense.batch.size").tags("model", model, "path", path)
                .description("samples per scored batch").publishPercentileHistogram().register(registry);
    }

    private static Counter requests(MeterRegistry registry, String model, String path, String result) {
        return Counter.builder("dense.requests").tags("model", model, "path", path, "result", result)
                .description("score and infer requests by outcome").register(registry);
    }

    /** Counts an answered request. */
    public void succeeded() {
        ok.increment();
    }

    /** Counts a refused or failed request. */
    public void failed(ErrorCode code) {
        errors.get(code).increment();
    }

    void computed(int batch, long nanos) {
        batchSize.record(batch);
        compute.record(nanos, TimeUnit.NANOSECONDS);
    }

    void lookedUp(long nanos) {
        lookup.record(nanos, TimeUnit.NANOSECONDS);
    }
}
