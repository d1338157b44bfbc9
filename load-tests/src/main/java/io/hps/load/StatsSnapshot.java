package io.hps.load;

import tools.jackson.databind.JsonNode;

/**
 * Cumulative counters of one model from the statistics extension ({@code inference_stats}): for
 * each of success, queue, compute input, compute infer and compute output, a count and the summed
 * nanoseconds.
 */
record StatsSnapshot(TimedSum success, TimedSum queue, TimedSum computeInput, TimedSum computeInfer,
                     TimedSum computeOutput) {
    /** A {@code {count, ns}} pair. */
    record TimedSum(long count, long nanos) {
        static TimedSum of(JsonNode node) {
            if (node == null || !node.has("count") || !node.has("ns")) {
                throw new StatisticsFormatException("statistics entry lacks count or ns: entry=" + node);
            }
            return new TimedSum(node.get("count").asLong(), node.get("ns").asLong());
        }

        /** Mean of the growth from {@code before} to this, in milliseconds; 0 without growth. */
        double meanMillisSince(TimedSum before) {
            long grown = count - before.count;
            return grown <= 0 ? 0 : (nanos - before.nanos) / 1e6 / grown;
        }
    }

    /** Reads the first {@code model_stats} entry of a {@code GET /v2/models/{m}/stats} answer. */
    static StatsSnapshot of(JsonNode answer) {
        JsonNode entries = answer.get("model_stats");
        if (entries == null || entries.isEmpty()) {
            throw new StatisticsFormatException("statistics answer without model_stats: answer=" + answer);
        }
        JsonNode stats = entries.get(0).get("inference_stats");
        if (stats == null) {
            throw new StatisticsFormatException("statistics entry without inference_stats: entry=" + entries.get(0));
        }
        return new StatsSnapshot(TimedSum.of(stats.get("success")), TimedSum.of(stats.get("queue")),
                TimedSum.of(stats.get("compute_input")), TimedSum.of(stats.get("compute_infer")),
                TimedSum.of(stats.get("compute_output")));
    }

    /** The server's mean latencies per request between {@code before} and this. */
    ServerBreakdown since(StatsSnapshot before) {
        return new ServerBreakdown(success.count - before.success.count, success.meanMillisSince(before.success),
                queue.meanMillisSince(before.queue), computeInput.meanMillisSince(before.computeInput),
                computeInfer.meanMillisSince(before.computeInfer), computeOutput.meanMillisSince(before.computeOutput));
    }
}
