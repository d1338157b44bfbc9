/**
 * From a checked request to the backends and back: frames composed around the request's tensor
 * buffers without copying them ({@code FrameComposer}), RSocket request-response clients
 * ({@link io.hps.gateway.backend.BackendClient}), per-model dynamic batching and admission
 * ({@link io.hps.gateway.backend.DynamicBatcher}), and the mapping of error frames to HTTP
 * ({@link io.hps.gateway.backend.BackendFailureException}).
 */
package io.hps.gateway.backend;
