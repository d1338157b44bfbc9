package io.hps.update;

import io.hps.lookup.LookupSession;
import io.hps.lookup.LookupTable;
import io.hps.store.ParameterServer;
import io.hps.tier.Deadline;
import io.hps.tier.EmbeddingTier;
import io.hps.tier.TierKind;
import io.hps.tier.TierResult;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.UUID;

/**
 * Upserts embeddings while serving. An upsert writes the volatile and persistent tiers, overwrites
 * the keys this replica has cached, and publishes an {@link UpdateNotice} so that the other
 * replicas overwrite theirs (and write their process-local volatile tier, which is not shared).
 * Keys not cached anywhere are read from the tiers by the next lookup that misses them.
 *
 * <p>Threads: thread-safe; blocking (tier calls wait up to the deadline).
 */
public final class EmbeddingUpdater implements AutoCloseable {
    private final ParameterServer server;
    private final UpdateChannel channel;
    private final String origin = UUID.randomUUID().toString();

    public EmbeddingUpdater(ParameterServer server, UpdateChannel channel) {
        this.server = server;
        this.channel = channel;
        channel.subscribe(this::onNotice);
    }

    /**
     * Writes {@code count} vectors of {@code model}'s {@code table}: row {@code i} of
     * {@code vectors} (float32, {@code dimension} per row) for {@code keys[i]}.
     *
     * @return {@link TierStatus#OK} with the count of keys written, or the first tier failure
     * @throws IllegalArgumentException unknown model or table, or a segment too small
     */
    public TierResult upsert(String model, String table, long[] keys, int count, MemorySegment vectors,
                             Deadline deadline) {
        LookupSession session = session(model);
        int t = tableIndex(session, table);
        LookupTable lt = session.tables().get(t);
        if (vectors.byteSize() < count * lt.vectorBytes()) {
            throw new IllegalArgumentException("vectors too small: bytes=" + vectors.byteSize() + " needed="
                    + count * lt.vectorBytes());
        }
        TierResult written = session.update(t, keys, count, vectors, () -> {
            for (EmbeddingTier tier : server.tiers()) {
                TierResult r = tier.put(lt.table(), keys, count, vectors, deadline);
                if (!r.isOk()) {
                    return r;
                }
            }
            return TierResult.ok(count);
        });
        if (!written.isOk()) {
            return written;
        }
        float[] rows = vectors.asSlice(0, count * lt.vectorBytes()).toArray(ValueLayout.JAVA_FLOAT);
        channel.publish(new UpdateNotice(origin, model, table, lt.dimension(),
                java.util.Arrays.copyOf(keys, count), rows));
        return TierResult.ok(count);
    }

    /** Applies another replica's upsert here. */
    void onNotice(UpdateNotice notice) {
        if (origin.equals(notice.origin())) {
            return;
        }
        LookupSession session = server.session(notice.model()).orElse(null);
        if (session == null) {
            return;
        }
        int t = session.tableIndex(notice.table());
        if (t < 0 || session.tables().get(t).dimension() != notice.dimension()) {
            return;
        }
        MemorySegment vectors = MemorySegment.ofArray(notice.vectors());
        int count = notice.keys().length;
        session.update(t, notice.keys(), count, vectors, () -> {
            for (EmbeddingTier tier : server.tiers()) {
                if (tier.kind() == TierKind.HASH_MAP) {
                    tier.put(session.tables().get(t).table(), notice.keys(), count, vectors,
                            Deadline.inNanos(1_000_000_000L));
                }
            }
            return null;
        });
    }

    private LookupSession session(String model) {
        return server.session(model).orElseThrow(() -> new IllegalArgumentException("unknown model: model=" + model));
    }

    private static int tableIndex(LookupSession session, String table) {
        int t = session.tableIndex(table);
        if (t < 0) {
            throw new IllegalArgumentException("unknown table: model=" + session.model() + " table=" + table);
        }
        return t;
    }

    @Override
    public void close() {
        channel.close();
    }
}
