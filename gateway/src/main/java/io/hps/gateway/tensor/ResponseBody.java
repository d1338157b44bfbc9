package io.hps.gateway.tensor;

import io.netty.buffer.ByteBuf;

/**
 * An encoded inference response: JSON, or a JSON header followed by binary outputs.
 *
 * @param bytes        the whole body; one reference, owned by whoever holds this record
 * @param headerLength JSON bytes at the start when outputs are binary (the value of
 *                     {@code Inference-Header-Content-Length}), or -1 for a JSON-only body
 */
public record ResponseBody(ByteBuf bytes, int headerLength) {
    public boolean binary() {
        return headerLength >= 0;
    }
}
