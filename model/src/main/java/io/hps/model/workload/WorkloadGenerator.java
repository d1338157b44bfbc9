package io.hps.model.workload;

import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic DLRM requests. Sample {@code i} of the stream is a pure function of the
 * seed and {@code i}, so {@link #next(int)} (the stream, batch after batch) and
 * {@link #batch(long, int)} / {@link #samples(long, int)} (random access) agree:
 * {@code batch(j, b)} holds samples {@code [j*b, j*b + b)}.
 *
 * <p>Per sample, for each table: with probability {@code unknownKeyFraction} a key at or above
 * the table's row count (no such row); otherwise a row drawn uniformly or by a power law over ranks
 * ({@code P(rank k) ~ k^-s}, rejection-inversion sampling, O(1) per key for any table size),
 * rank {@code k} mapped to the key {@link #hotKey(int, long)} by a fixed per-table permutation of
 * {@code [0, rows)} so the hot rows are scattered. Keys are table-local row ids.
 *
 * <p>Dense features follow the usual Criteo preprocessing, {@code log(count + 2)}, of heavy-tailed
 * non-negative counts ({@code P(count >= c) = (c + 1)^-1.2}, about 57% zeros, capped at
 * {@value #MAX_COUNT}), so every value lies in {@code [log 2, log(MAX_COUNT + 2)]}.
 *
 * <p>{@link #batch} and {@link #samples} are thread-safe; {@link #next} advances a cursor and
 * belongs to one thread.
 */
public final class WorkloadGenerator {

    /** Largest count a dense feature is derived from. */
    public static final long MAX_COUNT = 1_000_000_000L;
    /** Tail index of the dense counts. */
    static final double COUNT_TAIL = 1.2;

    private final List<TableSpec> tables;
    private final int denseFeatures;
    private final WorkloadSettings settings;
    private final ZipfSampler[] samplers;
    private final KeyPermutation[] permutations;
    private long cursor;

    public WorkloadGenerator(List<TableSpec> tables, int denseFeatures, WorkloadSettings settings) {
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("a workload needs at least one table");
        }
        if (denseFeatures < 0) {
            throw new IllegalArgumentException("dense features must be >= 0: denseFeatures=" + denseFeatures);
        }
        this.tables = List.copyOf(tables);
        this.denseFeatures = denseFeatures;
        this.settings = settings;
        this.samplers = new ZipfSampler[tables.size()];
        this.permutations = new KeyPermutation[tables.size()];
        for (int t = 0; t < tables.size(); t++) {
            long rows = tables.get(t).rows();
            samplers[t] = new ZipfSampler(rows, settings.zipfExponent());
            permutations[t] = new KeyPermutation(rows, KeyPermutation.mix(settings.seed() ^ (0xA5A5_0000L + t)));
        }
    }

    /** Requests for a model of this shape. */
    public static WorkloadGenerator forArchitecture(DlrmArchitecture architecture, WorkloadSettings settings) {
        return new WorkloadGenerator(architecture.tables(), architecture.denseFeatures(), settings);
    }

    /** The next {@code batchSize} samples of the stream. */
    public Batch next(int batchSize) {
        Batch batch = samples(cursor, batchSize);
        cursor += batchSize;
        return batch;
    }

    /** Batch {@code index} of a stream cut into batches of {@code batchSize}: samples {@code [index*batchSize, ...)}. */
    public Batch batch(long index, int batchSize) {
        if (index < 0) {
            throw new IllegalArgumentException("batch index must be >= 0: index=" + index);
        }
        return samples(Math.multiplyExact(index, (long) batchSize), batchSize);
    }

    /** Samples {@code [first, first + count)} of the stream. */
    public Batch samples(long first, int count) {
        if (count < 1 || first < 0) {
            throw new IllegalArgumentException("need first >= 0 and count >= 1: first=" + first + " count=" + count);
        }
        float[] dense = new float[count * denseFeatures];
        long[] keys = new long[count * tables.size()];
        for (int s = 0; s < count; s++) {
            fillSample(first + s, dense, s * denseFeatures, keys, s * tables.size());
        }
        return new Batch(count, dense, keys);
    }

    /** The key of the {@code rank}-th most frequent row of table {@code table} under power-law keys (rank 1 = hottest). */
    public long hotKey(int table, long rank) {
        return permutations[table].apply(rank - 1);
    }

    public List<TableSpec> tables() {
        return tables;
    }

    public int denseFeatures() {
        return denseFeatures;
    }

    public WorkloadSettings settings() {
        return settings;
    }

    private void fillSample(long sample, float[] dense, int denseOffset, long[] keys, int keyOffset) {
        SplittableRandom random = new SplittableRandom(KeyPermutation.mix(settings.seed() + 0x9E3779B97F4A7C15L * sample));
        for (int f = 0; f < denseFeatures; f++) {
            dense[denseOffset + f] = (float) Math.log(count(random) + 2.0);
        }
        for (int t = 0; t < tables.size(); t++) {
            keys[keyOffset + t] = key(t, random);
        }
    }

    private static long count(SplittableRandom random) {
        double u = 1.0 - random.nextDouble();
        double c = Math.floor(Math.pow(u, -1.0 / COUNT_TAIL)) - 1.0;
        return (long) Math.min(c, MAX_COUNT);
    }

    private long key(int table, SplittableRandom random) {
        long rows = tables.get(table).rows();
        if (settings.unknownKeyFraction() > 0 && random.nextDouble() < settings.unknownKeyFraction()) {
            return rows + random.nextLong(Long.MAX_VALUE - rows);
        }
        if (settings.keys() == WorkloadSettings.KeyDistribution.UNIFORM) {
            return random.nextLong(rows);
        }
        return hotKey(table, samplers[table].sample(random));
    }
}
