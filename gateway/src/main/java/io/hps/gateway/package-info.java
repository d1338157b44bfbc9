/**
 * The gateway: a KServe v2 (Open Inference Protocol) REST front door that routes each model of its
 * model repository to the RSocket backend serving it (dense-service for DLRM scoring on the native,
 * fused or ensemble path; hps-service for embedding lookups), with dynamic batching, admission
 * control, deadlines and Triton-compatible statistics and metrics.
 *
 * <h2>Model repository</h2>
 * A directory ({@code hps.gateway.repository}); every sub-folder holding a {@code config.json} is
 * one served model, read once at start-up. Unknown fields are errors. Paths are relative to the
 * folder. One underlying model can be exposed under several names (one folder each).
 *
 * <pre>{@code
 * models/dlrm_ensemble/config.json
 * {
 *   "name": "dlrm_ensemble",            // optional; must equal the folder name
 *   "version": "1",                     // optional, default "1"; the one version served
 *   "kind": "dlrm",                     // "dlrm" (dense, categorical -> output) or
 *                                       //   "embedding" (KEYS, NUMKEYS -> OUTPUT0)
 *   "path": "ensemble",                 // "native", "fused" or "ensemble" (default); reported, not interpreted
 *   "backend": {
 *     "service": "dense-service",       // "dense-service" for dlrm, "hps-service" for embedding
 *     "addresses": ["10.0.0.5:9200", "10.0.0.6"],  // RSocket TCP replicas, round-robin;
 *                                       //   default port 9200 (dense-service), 9100 (hps-service)
 *     "model": "dlrm_ensemble",         // the name the backend serves it under
 *     "timeout_us": 10000000            // optional, default 10 s: longest wait for one backend answer
 *   },
 *   "model_json": "../../artifacts/dlrm/model.json",  // shapes: dense_features, tables (rows, dim), max_batch_size
 *   "max_batch_size": 1024,             // optional, default model.json's: samples (dlrm) or keys (embedding)
 *                                       //   per request and per merged batch
 *   "dynamic_batching": {               // optional
 *     "max_queue_delay_us": 100,        // default 0: a batch leaves at once
 *     "preferred_batch_sizes": [256, 1024],  // default none: reaching one sends the batch at once
 *     "max_queue_size": 128,            // default 128: requests waiting; one more is answered 429
 *     "max_inflight_batches": 16        // default 16: batches at the backend at once
 *   },
 *   "key_policy": "reject",             // "reject" (default): a key outside [0, rows) of its table is a 400
 *                                       //   naming input, sample and table; "default": passed on, answered
 *                                       //   with the table's default vector
 *   "default_timeout_us": 0             // deadline when the request has no parameters.timeout; 0 = none
 * }
 * }</pre>
 *
 * <h2>HTTP API</h2>
 * {@code GET /v2}, {@code /v2/health/live}, {@code /v2/health/ready}, {@code /v2/models/{m}[/versions/{v}]},
 * {@code .../ready}, {@code POST .../infer}, {@code GET .../stats} and {@code GET /v2/models/stats}
 * (Triton's statistics extension). Inference accepts JSON tensors ({@code data} flat or nested) and
 * Triton's binary tensor data extension ({@code Inference-Header-Content-Length},
 * {@code parameters.binary_data_size}, {@code outputs[].parameters.binary_data},
 * {@code parameters.binary_data_output}). {@code parameters.timeout} is the request's deadline in
 * microseconds. Errors are {@code {"error": "..."}}: 400 for bad input, 404 unknown model or version,
 * 413 body over {@code hps.gateway.max-body-bytes}, 429 with {@code Retry-After} when the model's
 * queue is full, 502 a backend INTERNAL error or garbage, 503 with {@code Retry-After} when a backend
 * is OVERLOADED, NOT_READY or unreachable, 504 when the deadline or backend timeout passes
 * (DEADLINE_EXCEEDED from a backend included).
 */
package io.hps.gateway;
