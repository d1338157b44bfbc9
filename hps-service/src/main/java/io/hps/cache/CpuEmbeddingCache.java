package io.hps.cache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link CacheMode#DYNAMIC dynamic} {@link DeviceCache} in CPU memory, organised like HugeCTR's
 * GPU embedding cache: set-associative with LRU-like eviction.
 *
 * <h2>Layout</h2>
 * The capacity is rounded up to whole sets of {@link #WAYS} slots. A key lives only in set
 * {@code bucket(murmur3-fmix64(key), sets)}. Slot {@code s} (set {@code s / WAYS}) has its key in
 * {@code keys[s]}, its last-use clock value in {@code stamps[s]} and its vector at byte
 * {@code s * dimension * 4} of one off-heap slab allocated at construction. Each set has a header
 * on its own 64-byte line: a version and a bit mask of occupied slots (so no key value is reserved
 * as an empty marker).
 *
 * <h2>Recency</h2>
 * Every batch takes one tick of a cache-wide clock; a hit or a write stamps the slot with it.
 * Inserting into a full set evicts its slot with the smallest stamp (ties: the lowest slot).
 *
 * <h2>Concurrency</h2>
 * Each set is a seqlock. Writers (replace, update, invalidate, clear) take the set by moving its
 * version from even to odd and release it at the next even value; writers of different sets run
 * in parallel. Readers (query, dump) never lock: they copy the vector and re-check the version,
 * and retry when a writer held or changed the set meanwhile. Stamps are written racily by
 * readers; a lost stamp only makes eviction less exact.
 */
public final class CpuEmbeddingCache implements DeviceCache {
    /** Slots per set, as HugeCTR's slab size; the occupancy mask is one {@code int}. */
    public static final int WAYS = 32;
    private static final int FULL = -1;
    private static final int HEADER_INTS = 16;
    private static final int VERSION = 0;
    private static final int OCCUPIED = 1;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final int OVERWRITTEN = 0;
    private static final int INSERTED = 1;
    private static final int EVICTED = 2;

    private final int dimension;
    private final long rowBytes;
    private final int sets;
    private final long[] keys;
    private final long[] stamps;
    private final int[] headers;
    private final Arena arena;
    private final MemorySegment slab;
    private final AtomicLong clock = new AtomicLong();
    private final LongAdder size = new LongAdder();
    private final CacheCounters counters = new CacheCounters();

    /** Allocates the whole slab now ({@code capacity() * dimension * 4} bytes off-heap). */
    public CpuEmbeddingCache(DeviceCacheConfig config) {
        if (config.mode() != CacheMode.DYNAMIC) {
            throw new IllegalArgumentException("set-associative cache is dynamic: mode=" + config.mode());
        }
        long setCount = Math.ceilDiv(config.capacityRows(), WAYS);
        if (setCount > (Integer.MAX_VALUE - 64) / WAYS) {
            throw new IllegalArgumentException("dynamic cache too large: capacityRows=" + config.capacityRows());
        }
        this.dimension = config.dimension();
        this.rowBytes = config.vectorBytes();
        this.sets = (int) setCount;
        this.keys = new long[sets * WAYS];
        this.stamps = new long[sets * WAYS];
        this.headers = new int[sets * HEADER_INTS];
        this.arena = Arena.ofShared();
        this.slab = arena.allocate((long) sets * WAYS * rowBytes, 64);
    }

    @Override
    public CacheMode mode() {
        return CacheMode.DYNAMIC;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    /** The configured capacity rounded up to whole sets of {@link #WAYS}. */
    @Override
    public long capacity() {
        return (long) sets * WAYS;
    }

    /** Counted under the set locks; a sum read during writes may be off by the writes in flight. */
    @Override
    public long size() {
        return Math.clamp(size.sum(), 0, capacity());
    }

    @Override
    public CacheCounters counters() {
        return counters;
    }

    @Override
    public int query(long[] batchKeys, int offset, int count, MemorySegment out, long outOffsetBytes,
            MissList misses) {
        BatchArguments.checkQuery(batchKeys, offset, count, out, outOffsetBytes, rowBytes, misses);
        misses.clear();
        long now = clock.incrementAndGet();
        for (int i = 0; i < count; i++) {
            if (!read(batchKeys[offset + i], out, outOffsetBytes + i * rowBytes, now)) {
                misses.add(i);
            }
        }
        int hits = count - misses.count();
        counters.recordQuery(hits, misses.count());
        return hits;
    }

    @Override
    public void replace(long[] batchKeys, int offset, int count, MemorySegment vectors, long vectorsOffsetBytes) {
        BatchArguments.checkWrite(batchKeys, offset, count, vectors, vectorsOffsetBytes, rowBytes);
        long now = clock.incrementAndGet();
        int inserted = 0;
        int evicted = 0;
        for (int i = 0; i < count; i++) {
            int outcome = store(batchKeys[offset + i], vectors, vectorsOffsetBytes + i * rowBytes, now);
            inserted += outcome == OVERWRITTEN ? 0 : 1;
            evicted += outcome == EVICTED ? 1 : 0;
        }
        counters.recordInsertions(inserted);
        counters.recordEvictions(evicted);
    }

    @Override
    public int update(long[] batchKeys, int offset, int count, MemorySegment vectors, long vectorsOffsetBytes) {
        BatchArguments.checkWrite(batchKeys, offset, count, vectors, vectorsOffsetBytes, rowBytes);
        int updated = 0;
        for (int i = 0; i < count; i++) {
            updated += overwrite(batchKeys[offset + i], vectors, vectorsOffsetBytes + i * rowBytes) ? 1 : 0;
        }
        return updated;
    }

    @Override
    public int invalidate(long[] batchKeys, int offset, int count) {
        BatchArguments.checkKeys(batchKeys, offset, count);
        int removed = 0;
        for (int i = 0; i < count; i++) {
            removed += remove(batchKeys[offset + i]) ? 1 : 0;
        }
        return removed;
    }

    @Override
    public void dump(CacheEntryConsumer consumer) {
        try (Arena scratchArena = Arena.ofConfined()) {
            MemorySegment setVectors = scratchArena.allocate(WAYS * rowBytes, 64);
            long[] setKeys = new long[WAYS];
            for (int set = 0; set < sets; set++) {
                int occupied = snapshot(set, setKeys, setVectors);
                for (int way = 0; way < WAYS; way++) {
                    if ((occupied >>> way & 1) != 0) {
                        consumer.accept(setKeys[way], setVectors.asSlice(way * rowBytes, rowBytes));
                    }
                }
            }
        }
    }

    @Override
    public void clear() {
        for (int set = 0; set < sets; set++) {
            int version = lock(set);
            int h = set * HEADER_INTS;
            size.add(-Integer.bitCount(headers[h + OCCUPIED]));
            headers[h + OCCUPIED] = 0;
            unlock(set, version);
        }
    }

    @Override
    public void close() {
        arena.close();
    }

    private int setOf(long key) {
        return KeyHash.bucket(key, sets);
    }

    private boolean read(long key, MemorySegment out, long outOffset, long now) {
        int set = setOf(key);
        int h = set * HEADER_INTS;
        for (int attempt = 0; ; attempt++) {
            int version = (int) INTS.getAcquire(headers, h + VERSION);
            if ((version & 1) == 0) {
                int slot = find(set, headers[h + OCCUPIED], key);
                if (slot >= 0) {
                    MemorySegment.copy(slab, slot * rowBytes, out, outOffset, rowBytes);
                }
                VarHandle.loadLoadFence();
                if ((int) INTS.getAcquire(headers, h + VERSION) == version) {
                    if (slot >= 0) {
                        stamps[slot] = now;
                    }
                    return slot >= 0;
                }
            }
            Spin.backOff(attempt);
        }
    }

    private int find(int set, int occupied, long key) {
        int base = set * WAYS;
        for (int way = 0; way < WAYS; way++) {
            if (keys[base + way] == key && (occupied >>> way & 1) != 0) {
                return base + way;
            }
        }
        return -1;
    }

    private int store(long key, MemorySegment vectors, long vectorOffset, long now) {
        int set = setOf(key);
        int version = lock(set);
        int h = set * HEADER_INTS;
        int occupied = headers[h + OCCUPIED];
        int slot = find(set, occupied, key);
        int outcome = OVERWRITTEN;
        if (slot < 0) {
            outcome = occupied == FULL ? EVICTED : INSERTED;
            slot = occupied == FULL ? leastRecent(set) : set * WAYS + Integer.numberOfTrailingZeros(~occupied);
            headers[h + OCCUPIED] = occupied | 1 << (slot - set * WAYS);
            keys[slot] = key;
            size.add(outcome == INSERTED ? 1 : 0);
        }
        MemorySegment.copy(vectors, vectorOffset, slab, slot * rowBytes, rowBytes);
        stamps[slot] = now;
        unlock(set, version);
        return outcome;
    }

    private int leastRecent(int set) {
        int base = set * WAYS;
        int victim = base;
        for (int slot = base + 1; slot < base + WAYS; slot++) {
            if (stamps[slot] < stamps[victim]) {
                victim = slot;
            }
        }
        return victim;
    }

    private boolean overwrite(long key, MemorySegment vectors, long vectorOffset) {
        int set = setOf(key);
        int version = lock(set);
        int slot = find(set, headers[set * HEADER_INTS + OCCUPIED], key);
        if (slot >= 0) {
            MemorySegment.copy(vectors, vectorOffset, slab, slot * rowBytes, rowBytes);
        }
        unlock(set, version);
        return slot >= 0;
    }

    private boolean remove(long key) {
        int set = setOf(key);
        int version = lock(set);
        int h = set * HEADER_INTS;
        int slot = find(set, headers[h + OCCUPIED], key);
        if (slot >= 0) {
            headers[h + OCCUPIED] &= ~(1 << (slot - set * WAYS));
            stamps[slot] = 0;
            size.decrement();
        }
        unlock(set, version);
        return slot >= 0;
    }

    private int snapshot(int set, long[] setKeys, MemorySegment setVectors) {
        int h = set * HEADER_INTS;
        for (int attempt = 0; ; attempt++) {
            int version = (int) INTS.getAcquire(headers, h + VERSION);
            if ((version & 1) == 0) {
                int occupied = headers[h + OCCUPIED];
                System.arraycopy(keys, set * WAYS, setKeys, 0, WAYS);
                MemorySegment.copy(slab, set * WAYS * rowBytes, setVectors, 0, WAYS * rowBytes);
                VarHandle.loadLoadFence();
                if ((int) INTS.getAcquire(headers, h + VERSION) == version) {
                    return occupied;
                }
            }
            Spin.backOff(attempt);
        }
    }

    /** Takes the set for writing; returns the even version it had. */
    private int lock(int set) {
        int h = set * HEADER_INTS + VERSION;
        for (int attempt = 0; ; attempt++) {
            int version = (int) INTS.getVolatile(headers, h);
            if ((version & 1) == 0 && INTS.compareAndSet(headers, h, version, version + 1)) {
                VarHandle.storeStoreFence();
                return version;
            }
            Spin.backOff(attempt);
        }
    }

    private void unlock(int set, int version) {
        INTS.setRelease(headers, set * HEADER_INTS + VERSION, version + 2);
    }

    @Override
    public String toString() {
        return "CpuEmbeddingCache[dimension=" + dimension + " capacity=" + capacity() + " size=" + size() + "]";
    }
}
