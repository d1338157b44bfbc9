/**
 * A perf_analyzer-style load harness for the gateway's KServe v2 REST API: fixed batch size,
 * closed-loop concurrency or open-loop request rate, binary tensor bodies built before measuring,
 * measurement windows repeated until throughput is stable, client percentiles with HdrHistogram and
 * the server's latency breakdown from the statistics extension; {@link io.hps.load.LoadTest} is the
 * command, and its {@code seed-study} sweep writes the seed's tables, a CSV and two plots.
 */
package io.hps.load;
