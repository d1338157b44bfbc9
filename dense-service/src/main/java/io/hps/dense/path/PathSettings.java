package io.hps.dense.path;

import io.hps.wire.VectorDtype;

/**
 * How one served model instance runs.
 *
 * @param name                instance name that requests address, not blank
 * @param kind                the path
 * @param networkThreads      worker threads of the dense network, at least 1
 * @param workspaces          batches scored at once (each holds buffers sized by the maximum batch), at least 1
 * @param warmUpMillis        time the network runs synthetic batches before the path reports itself ready, at least 0
 * @param ensembleDtype       vector dtype the ensemble path asks hps-service for (F32, F16 or BF16)
 * @param ensembleUnique      whether the ensemble path asks for unique vectors plus an inverse index
 * @param lookupTimeoutMillis deadline of one ensemble lookup, at least 1
 * @param ensembleMaxResponseBytes largest lookup response the ensemble path asks for in one request, in
 *                            [64 KiB, {@link #MAX_RESPONSE_BYTES}]; larger batches are split into
 *                            chunks of samples sent at once
 */
public record PathSettings(String name, PathKind kind, int networkThreads, int workspaces, long warmUpMillis,
                           VectorDtype ensembleDtype, boolean ensembleUnique, long lookupTimeoutMillis,
                           long ensembleMaxResponseBytes) {

    /**
     * An RSocket frame carries at most 16 MiB without fragmentation (which would reassemble, i.e.
     * copy, the frame); 64 KiB are left for the frame and section headers.
     */
    public static final long MAX_RESPONSE_BYTES = (16L << 20) - (64L << 10);

    public PathSettings {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("instance name must not be blank: name=" + name);
        }
        if (kind == null || ensembleDtype == null) {
            throw new IllegalArgumentException("kind and ensembleDtype must be set: kind=" + kind
                    + " ensembleDtype=" + ensembleDtype);
        }
        if (networkThreads < 1 || workspaces < 1 || warmUpMillis < 0 || lookupTimeoutMillis < 1) {
            throw new IllegalArgumentException("settings out of range: networkThreads=" + networkThreads
                    + " workspaces=" + workspaces + " warmUpMillis=" + warmUpMillis
                    + " lookupTimeoutMillis=" + lookupTimeoutMillis);
        }
        if (ensembleMaxResponseBytes < (64 << 10) || ensembleMaxResponseBytes > MAX_RESPONSE_BYTES) {
            throw new IllegalArgumentException("ensembleMaxResponseBytes out of range: ensembleMaxResponseBytes="
                    + ensembleMaxResponseBytes + " min=65536 max=" + MAX_RESPONSE_BYTES);
        }
    }

    /** Defaults for {@code kind}: a thread per processor, two workspaces, 2 s warm-up, F32 table-major, 1 s deadline. */
    public static PathSettings defaults(String name, PathKind kind) {
        return new PathSettings(name, kind, Runtime.getRuntime().availableProcessors(), 2, 2000, VectorDtype.F32,
                false, 1000, MAX_RESPONSE_BYTES);
    }

    public PathSettings withEnsembleWire(VectorDtype dtype, boolean unique) {
        return new PathSettings(name, kind, networkThreads, workspaces, warmUpMillis, dtype, unique,
                lookupTimeoutMillis, ensembleMaxResponseBytes);
    }

    public PathSettings withWarmUpMillis(long millis) {
        return new PathSettings(name, kind, networkThreads, workspaces, millis, ensembleDtype, ensembleUnique,
                lookupTimeoutMillis, ensembleMaxResponseBytes);
    }
}
