package io.hps.tier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * In-process volatile tier: per table, {@link HashMapTierSettings#partitions()} partitions
 * (partition of a key = {@code rrxmrrxmsx_0(key) mod partitions}, as HugeCTR), each an
 * open-addressing primitive index over off-heap vector slabs, bounded by
 * {@code overflowMarginEntries}. Inserting a new key into a full partition first evicts entries by
 * the {@link OverflowPolicy} until {@code round(margin * overflowResolutionTarget)} remain; updates
 * of present keys never evict.
 *
 * <p>Threads: each partition has a {@link java.util.concurrent.locks.StampedLock}; reads of
 * different or the same partition run concurrently, writes exclude readers of that partition
 * only. The asynchronous forms run on the calling thread and return completed futures: the work
 * is a memory copy that never waits on I/O (at most on a partition's write lock). A
 * {@code put} or {@code remove} racing with {@code dropTable} of the same table may be lost.
 *
 * <p>Deadlines are checked between partitions: an expired deadline stops the call before the
 * next partition.
 */
public final class HashMapTier extends SynchronousTier implements MeterBinder {
    private final HashMapTierSettings settings;
    private final ConcurrentHashMap<String, Table> tables = new ConcurrentHashMap<>();
    private final LongAdder evictions = new LongAdder();
    private volatile boolean closed;

    public HashMapTier(HashMapTierSettings settings) {
        this.settings = settings;
    }

    @Override
    public TierKind kind() {
        return TierKind.HASH_MAP;
    }

    /** Entries evicted by the overflow policy since creation, over all tables. */
    public long evictions() {
        return evictions.sum();
    }

    /** Registers {@code hps.tier.evictions{tier=hash_map}}. */
    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("hps.tier.evictions", evictions, LongAdder::sum)
                .tag("tier", kind().tagValue())
                .description("Entries evicted by the overflow policy")
                .register(registry);
    }

    @Override
    public TierResult get(TierTable table, long[] keys, int count, MemorySegment out, boolean[] found,
                          Deadline deadline) {
        TierArguments.checkGet(table, keys, count, out, found);
        Table stored = existing(table);
        if (deadline.expired()) {
            return TierResult.deadlineExceeded(0);
        }
        if (stored == null) {
            return TierResult.ok(0);
        }
        PartitionGrouping groups = PartitionGrouping.of(keys, count, found, settings.partitions());
        long tick = settings.overflowPolicy() == OverflowPolicy.EVICT_OLDEST ? stored.clock.incrementAndGet() : 0;
        long hits = 0;
        for (int p = 0; p < settings.partitions(); p++) {
            if (groups.start(p) == groups.end(p)) {
                continue;
            }
            if (deadline.expired()) {
                return TierResult.deadlineExceeded(hits);
            }
            hits += readPartition(stored.partitions[p], keys, groups, p, out, found, tick);
        }
        return TierResult.ok(hits);
    }

    private int readPartition(HashMapPartition partition, long[] keys, PartitionGrouping groups, int p,
                              MemorySegment out, boolean[] found, long tick) {
        long stamp = partition.lock.readLock();
        try {
            return partition.read(keys, groups.order(), groups.start(p), groups.end(p), out, found,
                    settings.overflowPolicy(), tick);
        } finally {
            partition.lock.unlockRead(stamp);
        }
    }

    @Override
    public TierResult put(TierTable table, long[] keys, int count, MemorySegment vectors, Deadline deadline) {
        TierArguments.checkBatch(table, keys, count, vectors);
        Table stored = createIfAbsent(table);
        if (deadline.expired()) {
            return TierResult.deadlineExceeded(0);
        }
        PartitionGrouping groups = PartitionGrouping.of(keys, count, null, settings.partitions());
        long written = 0;
        for (int p = 0; p < settings.partitions(); p++) {
            if (groups.start(p) == groups.end(p)) {
                continue;
            }
            if (deadline.expired()) {
                return TierResult.deadlineExceeded(written);
            }
            written += writePartition(stored, stored.partitions[p], keys, groups, p, vectors, table.vectorBytes());
        }
        return TierResult.ok(written);
    }

    private int writePartition(Table stored, HashMapPartition partition, long[] keys, PartitionGrouping groups,
                               int p, MemorySegment vectors, int vectorBytes) {
        int[] order = groups.order();
        long stamp = partition.lock.writeLock();
        try {
            for (int j = groups.start(p); j < groups.end(p); j++) {
                int index = order[j];
                makeRoomFor(partition, keys[index]);
                partition.write(keys[index], vectors, (long) index * vectorBytes, initialMeta(stored));
            }
            return groups.end(p) - groups.start(p);
        } finally {
            partition.lock.unlockWrite(stamp);
        }
    }

    private void makeRoomFor(HashMapPartition partition, long key) {
        if (partition.size() >= settings.overflowMarginEntries() && !partition.contains(key)) {
            evictions.add(partition.evict(settings.overflowPolicy(), settings.overflowResolutionEntries()));
        }
    }

    private long initialMeta(Table stored) {
        return settings.overflowPolicy() == OverflowPolicy.EVICT_OLDEST ? stored.clock.incrementAndGet() : 0;
    }

    @Override
    public TierResult remove(TierTable table, long[] keys, int count, Deadline deadline) {
        TierArguments.checkKeys(keys, count);
        Table stored = existing(table);
        if (deadline.expired()) {
            return TierResult.deadlineExceeded(0);
        }
        if (stored == null) {
            return TierResult.ok(0);
        }
        PartitionGrouping groups = PartitionGrouping.of(keys, count, null, settings.partitions());
        long removed = 0;
        for (int p = 0; p < settings.partitions(); p++) {
            if (deadline.expired()) {
                return TierResult.deadlineExceeded(removed);
            }
            removed += removeFromPartition(stored.partitions[p], keys, groups, p);
        }
        return TierResult.ok(removed);
    }

    private int removeFromPartition(HashMapPartition partition, long[] keys, PartitionGrouping groups, int p) {
        int[] order = groups.order();
        int removed = 0;
        long stamp = partition.lock.writeLock();
        try {
            for (int j = groups.start(p); j < groups.end(p); j++) {
                removed += partition.remove(keys[order[j]]) ? 1 : 0;
            }
            return removed;
        } finally {
            partition.lock.unlockWrite(stamp);
        }
    }

    @Override
    public TierResult size(TierTable table, Deadline deadline) {
        Table stored = existing(table);
        if (deadline.expired()) {
            return TierResult.deadlineExceeded(0);
        }
        long size = 0;
        if (stored != null) {
            for (HashMapPartition partition : stored.partitions) {
                long stamp = partition.lock.readLock();
                size += partition.size();
                partition.lock.unlockRead(stamp);
            }
        }
        return TierResult.ok(size);
    }

    @Override
    public TierResult dropTable(TierTable table, Deadline deadline) {
        checkOpen();
        if (deadline.expired()) {
            return TierResult.deadlineExceeded(0);
        }
        Table stored = tables.remove(table.tag());
        return TierResult.ok(stored == null ? 0 : stored.clear());
    }

    @Override
    public TierResult scan(TierTable table, int chunkKeys, EntryVisitor visitor, Deadline deadline) {
        TierArguments.checkChunk(chunkKeys);
        Table stored = existing(table);
        if (deadline.expired()) {
            return TierResult.deadlineExceeded(0);
        }
        if (stored == null) {
            return TierResult.ok(0);
        }
        long[] keys = new long[chunkKeys];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vectors = arena.allocate((long) chunkKeys * table.vectorBytes(), Long.BYTES);
            return scanPartitions(stored, keys, vectors, visitor, deadline);
        }
    }

    private TierResult scanPartitions(Table stored, long[] keys, MemorySegment vectors, EntryVisitor visitor,
                                      Deadline deadline) {
        long visited = 0;
        for (HashMapPartition partition : stored.partitions) {
            for (int first = 0; ; ) {
                if (deadline.expired()) {
                    return TierResult.deadlineExceeded(visited);
                }
                long stamp = partition.lock.readLock();
                int n;
                try {
                    n = partition.copyEntries(first, keys, vectors);
                } finally {
                    partition.lock.unlockRead(stamp);
                }
                if (n == 0) {
                    break;
                }
                visitor.visit(keys, n, vectors);
                visited += n;
                first += n;
            }
        }
        return TierResult.ok(visited);
    }

    @Override
    public void close() {
        closed = true;
        tables.values().forEach(Table::clear);
        tables.clear();
    }

    @Override
    Executor asyncExecutor() {
        return Runnable::run;
    }

    private Table existing(TierTable table) {
        checkOpen();
        Table stored = tables.get(table.tag());
        if (stored != null) {
            stored.checkDimension(table);
        }
        return stored;
    }

    private Table createIfAbsent(TierTable table) {
        checkOpen();
        Table stored = tables.computeIfAbsent(table.tag(), tag -> new Table(table.dimension(), settings));
        stored.checkDimension(table);
        return stored;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("hash map tier is closed");
        }
    }

    /** The partitions of one table and its logical clock for {@code EVICT_OLDEST}. */
    private static final class Table {
        final int dimension;
        final HashMapPartition[] partitions;
        final AtomicLong clock = new AtomicLong();

        Table(int dimension, HashMapTierSettings settings) {
            this.dimension = dimension;
            this.partitions = new HashMapPartition[settings.partitions()];
            for (int p = 0; p < partitions.length; p++) {
                partitions[p] = new HashMapPartition(dimension * Float.BYTES, settings.allocationRateBytes());
            }
        }

        void checkDimension(TierTable table) {
            if (table.dimension() != dimension) {
                throw new IllegalArgumentException("dimension differs from stored table: table=" + table.tag()
                        + " dimension=" + table.dimension() + " stored=" + dimension);
            }
        }

        long clear() {
            long removed = 0;
            for (HashMapPartition partition : partitions) {
                long stamp = partition.lock.writeLock();
                removed += partition.size();
                partition.clear();
                partition.lock.unlockWrite(stamp);
            }
            return removed;
        }
    }
}
