package io.hps.dense.path;

import io.hps.gpu.dense.GemmPrecision;
import java.net.SocketAddress;

/**
 * How a served instance runs on the GPU.
 *
 * @param precision     arithmetic of the dense layers (TF32 tensor cores or FP32)
 * @param timeoutMillis longest wait for one batch's scores, queueing on the device included, at least 1; past it
 *                      the request is answered {@link io.hps.wire.ErrorCode#DEADLINE_EXCEEDED}
 * @param ensembleAddress hps-service's GPU lookup endpoint on this host (TCP or shared memory,
 *                        {@link io.hps.transport.Endpoints}), for ensemble instances; null if none
 */
public record GpuSettings(GemmPrecision precision, long timeoutMillis, SocketAddress ensembleAddress) {

    public GpuSettings {
        if (precision == null) {
            throw new IllegalArgumentException("precision must be set");
        }
        if (timeoutMillis < 1) {
            throw new IllegalArgumentException("timeoutMillis must be >= 1: timeoutMillis=" + timeoutMillis);
        }
    }

    /** Settings of a native or fused instance, which need no lookup endpoint. */
    public GpuSettings(GemmPrecision precision, long timeoutMillis) {
        this(precision, timeoutMillis, null);
    }
}
