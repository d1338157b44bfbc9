package io.hps.dense.gpu;

import io.hps.gpu.table.RowSource;
import io.hps.model.TableSpec;
import io.hps.tier.Deadline;
import io.hps.tier.EmbeddingTier;
import io.hps.tier.TierResult;
import io.hps.tier.TierTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** Fills a CPU tier with every row of a model's tables from a {@link RowSource}, in parallel chunks. */
public final class TierLoad {

    private static final int CHUNK_ROWS = 8192;
    private static final Duration CHUNK_TIMEOUT = Duration.ofMinutes(1);

    private TierLoad() {
    }

    /** Puts every row of {@code tables} (keys {@code 0..rows-1}) into {@code tier} under {@code model}; blocks. */
    public static long load(EmbeddingTier tier, String model, List<TableSpec> tables, RowSource rows) {
        record Chunk(int table, long first, int count) {
        }
        List<Chunk> chunks = new ArrayList<>();
        for (int t = 0; t < tables.size(); t++) {
            for (long first = 0; first < tables.get(t).rows(); first += CHUNK_ROWS) {
                chunks.add(new Chunk(t, first, (int) Math.min(CHUNK_ROWS, tables.get(t).rows() - first)));
            }
        }
        return IntStream.range(0, chunks.size()).parallel().mapToLong(i -> {
            Chunk c = chunks.get(i);
            TableSpec spec = tables.get(c.table());
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment vectors = arena.allocate((long) c.count() * spec.vectorBytes(), 64);
                rows.read(c.table(), c.first(), c.count(), vectors);
                long[] keys = new long[c.count()];
                for (int k = 0; k < keys.length; k++) {
                    keys[k] = c.first() + k;
                }
                TierResult r = tier.put(TierTable.of(model, spec), keys, c.count(), vectors,
                        Deadline.after(CHUNK_TIMEOUT));
                if (!r.isOk()) {
                    throw new IllegalStateException("tier load failed: table=" + spec.name() + " firstRow="
                            + c.first() + " result=" + r);
                }
                return r.count();
            }
        }).sum();
    }
}
