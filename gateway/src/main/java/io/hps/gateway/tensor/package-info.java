/**
 * KServe v2 tensors on the wire of HTTP: reading request bodies (JSON streamed into direct
 * buffers, binary tensors sliced from the body) and writing responses (JSON or binary outputs).
 */
package io.hps.gateway.tensor;
