package io.hps.load;

import io.hps.model.DlrmArchitecture;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sweep: every path at every batch size, ascending, one {@link Measurement} each. A size over
 * the model's {@code max_batch_size}, or one whose estimated latency does not fit the
 * {@link SizeBudget}, is skipped with a note. Prints one progress line per step (elapsed, ETA).
 * Runs on the calling thread.
 */
final class SeedStudy {
    private final Measurement measurement;
    private final GatewayProbe probe;
    private final DlrmArchitecture architecture;
    private final LoadSettings template;
    private final WorkloadMode mode;
    private final SizeBudget budget;
    private final BodyBudget bodyBudget;
    private final PrintStream progress;

    /** How many distinct request bodies a step may build. */
    record BodyBudget(int maxBatches, long maxBytes) {
        BodyBudget {
            if (maxBatches < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("need maxBatches >= 1 and maxBytes >= 1: maxBatches=" + maxBatches
                        + " maxBytes=" + maxBytes);
            }
        }
    }

    SeedStudy(Measurement measurement, GatewayProbe probe, DlrmArchitecture architecture, LoadSettings template,
              WorkloadMode mode, SizeBudget budget, BodyBudget bodyBudget, PrintStream progress) {
        this.measurement = measurement;
        this.probe = probe;
        this.architecture = architecture;
        this.template = template;
        this.mode = mode;
        this.budget = budget;
        this.bodyBudget = bodyBudget;
        this.progress = progress;
    }

    List<StepResult> run(List<StudyPath> paths, List<Integer> batchSizes) throws IOException, InterruptedException {
        List<StepResult> results = new ArrayList<>();
        long start = System.nanoTime();
        int total = paths.size() * batchSizes.size();
        int measured = 0;
        for (StudyPath path : paths) {
            Optional<Integer> maxBatch = probe.maxBatchSize(path.model());
            StepResult previous = null;
            for (int batch : batchSizes) {
                Optional<String> skip = skipReason(path, maxBatch, previous, batch);
                StepResult result = skip.isPresent()
                        ? StepResult.skipped(path.label(), path.model(), batch, mode, skip.get())
                        : measure(path, batch, results.size());
                if (!result.skipped()) {
                    previous = result;
                    measured++;
                }
                results.add(result);
                report(result, results.size(), total, measured, start);
            }
        }
        return results;
    }

    private Optional<String> skipReason(StudyPath path, Optional<Integer> maxBatch, StepResult previous, int batch) {
        if (maxBatch.isEmpty()) {
            return Optional.of("skipped: model " + path.model() + " not served by the gateway");
        }
        if (batch > maxBatch.get()) {
            return Optional.of("skipped: batch over the model's max_batch_size=" + maxBatch.get());
        }
        if (previous == null) {
            return Optional.empty();
        }
        if (previous.requests() == 0) {
            return Optional.of("skipped: batch " + previous.batchSize() + " was not answered");
        }
        return budget.skipReason(previous.batchSize(), previous.p50Micros() / 1000.0, batch);
    }

    private StepResult measure(StudyPath path, int batch, int step) throws IOException, InterruptedException {
        RequestBodies bodies = RequestBodies.build(architecture, mode, batch, bodyBudget.maxBatches(),
                bodyBudget.maxBytes(), step);
        return measurement.run(template.withModel(path.model(), batch), bodies, mode).withPath(path.label());
    }

    private void report(StepResult result, int done, int total, int measured, long startNanos) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        Duration eta = measured == 0 ? Duration.ZERO : elapsed.dividedBy(done).multipliedBy(total - done);
        String outcome = result.skipped() ? result.note()
                : "%.1f K samples/s, server %.3f ms, p50 %.3f ms, p99 %.3f ms, %d windows%s, %d errors".formatted(
                        result.samplesPerSecond() / 1000, result.server().requestMillis(), result.p50Micros() / 1000.0,
                        result.p99Micros() / 1000.0, result.windows(), result.stable() ? "" : " (not stable)",
                        result.errors()) + hitRates(result);
        progress.printf("[%d/%d] %s batch=%d: %s (elapsed %s, ETA %s)%n", done, total, result.path(),
                result.batchSize(), outcome, clock(elapsed), clock(eta));
    }

    private static String hitRates(StepResult result) {
        return result.hitRates().isEmpty() ? "" : ", hit rates " + result.hitRates().entrySet().stream()
                .map(e -> "%s %.1f%%".formatted(e.getKey(), 100 * e.getValue())).toList();
    }

    static String clock(Duration duration) {
        return "%d:%02d:%02d".formatted(duration.toHours(), duration.toMinutesPart(), duration.toSecondsPart());
    }
}
