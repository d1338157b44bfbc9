package io.hps.dense.path;

import io.hps.dense.EmbeddingType;
import io.hps.dense.cpu.DlrmNetwork;
import io.hps.lookup.LookupSession;
import io.hps.store.ParameterServer;
import io.hps.wire.ErrorCode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The native and fused paths: the HPS library in this process. Per table the batch's keys are
 * looked up as distinct vectors plus an inverse index straight into the workspace, then each
 * key's row is copied once to its sample-major place (the same one copy per key that an expanded
 * lookup makes). Native runs over a static table (no tiers), fused over the cache and tiers of the
 * model's ps.json; the code is the same.
 */
final class HpsPath extends NetworkPath {
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ParameterServer server;
    private final LookupSession session;

    HpsPath(PathSettings settings, DlrmNetwork network, int maxBatch, PathMetrics metrics, ParameterServer server,
            LookupSession session) {
        super(settings, network, maxBatch, metrics);
        this.server = server;
        this.session = session;
    }

    @Override
    void lookupAndForward(Workspace ws, int batch, MemorySegment dense, MemorySegment keys, float[] out) {
        long start = System.nanoTime();
        gather(ws, batch, keys);
        metrics.lookedUp(System.nanoTime() - start);
        forward(batch, dense, ws.embeddings, EmbeddingType.FLOAT32, out);
    }

    private void gather(Workspace ws, int batch, MemorySegment keys) {
        int tables = architecture().tableCount();
        long row = (long) architecture().embeddingDimension() * Float.BYTES;
        for (int t = 0; t < tables; t++) {
            for (int b = 0; b < batch; b++) {
                ws.keys[b] = keys.getAtIndex(I64, (long) b * tables + t);
            }
            try {
                session.lookupUnique(t, ws.keys, 0, batch, ws.unique, 0, ws.inverse);
            } catch (IllegalArgumentException e) {
                throw new ScoringException(ErrorCode.TOO_MANY_KEYS, "lookup refused: model=" + name() + " table=" + t
                        + " error=" + e.getMessage(), e);
            }
            for (int b = 0; b < batch; b++) {
                MemorySegment.copy(ws.unique, ws.inverse[b] * row, ws.embeddings, ((long) b * tables + t) * row, row);
            }
        }
    }

    @Override
    void closeLookup() {
        server.close();
    }
}
