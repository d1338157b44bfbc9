/** The KServe v2 HTTP endpoints: inference, metadata, health, statistics, error bodies. */
package io.hps.gateway.http;
