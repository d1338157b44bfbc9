/** Per-model inference statistics in Triton's shape, behind both the stats endpoint and the Prometheus meters. */
package io.hps.gateway.stats;
