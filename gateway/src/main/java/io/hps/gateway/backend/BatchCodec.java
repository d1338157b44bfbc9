package io.hps.gateway.backend;

import io.hps.wire.RequestContext;
import io.netty.buffer.ByteBuf;
import java.util.List;

/** How the requests of one batch become one backend frame, and its answer one result per request. */
interface BatchCodec<P> {
    /** One request frame carrying every payload in order; the payloads keep their own buffers. */
    ByteBuf compose(RequestContext context, List<P> payloads);

    /**
     * Splits a response frame (not released here) into one retained result per payload, in order.
     *
     * @throws BackendFailureException for an error frame or a response that does not fit the request
     */
    List<ByteBuf> split(ByteBuf response, List<P> payloads);
}
