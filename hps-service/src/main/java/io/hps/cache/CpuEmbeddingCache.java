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
 * {@code slots[2s]}, its last-use clock value in {@code slots[2s + 1]} (same cache line) and its
 * vector at byte {@code s * dimension * 4} of one off-heap slab allocated at construction (on
 * transparent huge pages where possible, see {@link OffHeapSlab}). Each set has a header of eight
 * longs (one 64-byte line): a version, a bit mask of occupied slots (so no key value is reserved as
 * an empty marker) and one tag byte per way, the low byte of the key's hash, packed eight to a
 * long. A probe compares the 32 tags with SWAR arithmetic and reads only the keys of occupied ways
 * whose tag matches, so a hit touches the header line, one slot line and the vector.
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
    /** Keys a query probes in one stage-by-stage group. */
    private static final int GROUP = 16;
    private static final int HEADER_LONGS = 8;
    private static final int VERSION = 0;
    private static final int OCCUPIED = 1;
    private static final int TAGS = 2;
    private static final long LOW_BITS = 0x7F7F7F7F7F7F7F7FL;
    private static final long EVERY_BYTE = 0x0101010101010101L;
    private static final long GATHER_HIGH_BITS = 0x0102040810204080L;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int OVERWRITTEN = 0;
    private static final int INSERTED = 1;
    private static final int EVICTED = 2;

    private final int dimension;
    private final long rowBytes;
    private final int sets;
    private final long[] slots;
    private final long[] headers;
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
        this.slots = new long[2 * sets * WAYS];
        this.headers = new long[sets * HEADER_LONGS];
        this.arena = Arena.ofShared();
        this.slab = OffHeapSlab.allocate(arena, (long) sets * WAYS * rowBytes);
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
        Probes probes = new Probes();
        for (int from = 0; from < count; from += GROUP) {
            queryGroup(batchKeys, offset + from, Math.min(GROUP, count - from), out,
                    outOffsetBytes + from * rowBytes, from, misses, now, probes);
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
            long version = lock(set);
            int h = set * HEADER_LONGS;
            size.add(-Long.bitCount(headers[h + OCCUPIED]));
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

    /**
     * Reads {@code n <= GROUP} keys in stages (all headers, then all slot keys, then all vectors,
     * then all versions again), so the cache misses of different keys overlap instead of forming
     * one dependent chain per key. A key whose set was being written falls back to {@link #read}.
     */
    private void queryGroup(long[] batchKeys, int first, int n, MemorySegment out, long outOffset, int missBase,
                            MissList misses, long now, Probes probes) {
        for (int j = 0; j < n; j++) {
            long hash = KeyHash.mix(batchKeys[first + j]);
            int set = (int) Math.unsignedMultiplyHigh(hash, sets);
            int h = set * HEADER_LONGS;
            probes.versions[j] = (long) LONGS.getAcquire(headers, h + VERSION);
            probes.sets[j] = set;
            probes.candidates[j] = tagMatches(h, hash) & (int) headers[h + OCCUPIED];
        }
        for (int j = 0; j < n; j++) {
            probes.slots[j] = slotAmong(probes.sets[j], probes.candidates[j], batchKeys[first + j]);
        }
        for (int j = 0; j < n; j++) {
            if (probes.slots[j] >= 0) {
                MemorySegment.copy(slab, probes.slots[j] * rowBytes, out, outOffset + j * rowBytes, rowBytes);
            }
        }
        VarHandle.loadLoadFence();
        for (int j = 0; j < n; j++) {
            int slot = probes.slots[j];
            long version = probes.versions[j];
            boolean hit;
            if ((version & 1) == 0 && (long) LONGS.getAcquire(headers, probes.sets[j] * HEADER_LONGS + VERSION) == version) {
                hit = slot >= 0;
                if (hit && slots[2 * slot + 1] != now) {
                    slots[2 * slot + 1] = now;
                }
            } else {
                hit = read(batchKeys[first + j], out, outOffset + j * rowBytes, now);
            }
            if (!hit) {
                misses.add(missBase + j);
            }
        }
    }

    /** Scratch of one {@link #queryGroup}: per key its set, version seen, tag candidates and slot. */
    private static final class Probes {
        final int[] sets = new int[GROUP];
        final long[] versions = new long[GROUP];
        final int[] candidates = new int[GROUP];
        final int[] slots = new int[GROUP];
    }

    private boolean read(long key, MemorySegment out, long outOffset, long now) {
        long hash = KeyHash.mix(key);
        int set = (int) Math.unsignedMultiplyHigh(hash, sets);
        int h = set * HEADER_LONGS;
        for (int attempt = 0; ; attempt++) {
            long version = (long) LONGS.getAcquire(headers, h + VERSION);
            if ((version & 1) == 0) {
                int slot = find(set, hash, key);
                if (slot >= 0) {
                    MemorySegment.copy(slab, slot * rowBytes, out, outOffset, rowBytes);
                }
                VarHandle.loadLoadFence();
                if ((long) LONGS.getAcquire(headers, h + VERSION) == version) {
                    if (slot >= 0 && slots[2 * slot + 1] != now) {
                        slots[2 * slot + 1] = now;
                    }
                    return slot >= 0;
                }
            }
            Spin.backOff(attempt);
        }
    }

    /** The slot of {@code key} (whose hash is {@code hash}) in {@code set}, or -1. */
    private int find(int set, long hash, long key) {
        int h = set * HEADER_LONGS;
        return slotAmong(set, tagMatches(h, hash) & (int) headers[h + OCCUPIED], key);
    }

    /** The slot of {@code key} among the ways of {@code set} whose bits are set in {@code candidates}, or -1. */
    private int slotAmong(int set, int candidates, long key) {
        int base = set * WAYS;
        while (candidates != 0) {
            int slot = base + Integer.numberOfTrailingZeros(candidates);
            if (slots[2 * slot] == key) {
                return slot;
            }
            candidates &= candidates - 1;
        }
        return -1;
    }

    /** Bit {@code w} set where way {@code w}'s tag byte equals the key's tag (occupied or not). */
    private int tagMatches(int h, long hash) {
        long pattern = (hash & 0xFF) * EVERY_BYTE;
        int matches = 0;
        for (int word = 0; word < WAYS / Long.BYTES; word++) {
            long x = headers[h + TAGS + word] ^ pattern;
            long zeroBytes = ~((x & LOW_BITS) + LOW_BITS | x | LOW_BITS);
            matches |= (int) ((zeroBytes >>> 7) * GATHER_HIGH_BITS >>> 56) << word * Long.BYTES;
        }
        return matches;
    }

    private void setTag(int set, int way, long hash) {
        int index = set * HEADER_LONGS + TAGS + way / Long.BYTES;
        int shift = way % Long.BYTES * Byte.SIZE;
        headers[index] = headers[index] & ~(0xFFL << shift) | (hash & 0xFF) << shift;
    }

    private int store(long key, MemorySegment vectors, long vectorOffset, long now) {
        long hash = KeyHash.mix(key);
        int set = setOf(key);
        long version = lock(set);
        int h = set * HEADER_LONGS;
        int occupied = (int) headers[h + OCCUPIED];
        int slot = find(set, hash, key);
        int outcome = OVERWRITTEN;
        if (slot < 0) {
            outcome = occupied == FULL ? EVICTED : INSERTED;
            slot = occupied == FULL ? leastRecent(set) : set * WAYS + Integer.numberOfTrailingZeros(~occupied);
            headers[h + OCCUPIED] = (occupied | 1 << (slot - set * WAYS)) & 0xFFFFFFFFL;
            setTag(set, slot - set * WAYS, hash);
            slots[2 * slot] = key;
            size.add(outcome == INSERTED ? 1 : 0);
        }
        MemorySegment.copy(vectors, vectorOffset, slab, slot * rowBytes, rowBytes);
        slots[2 * slot + 1] = now;
        unlock(set, version);
        return outcome;
    }

    private int leastRecent(int set) {
        int base = set * WAYS;
        int victim = base;
        for (int slot = base + 1; slot < base + WAYS; slot++) {
            if (slots[2 * slot + 1] < slots[2 * victim + 1]) {
                victim = slot;
            }
        }
        return victim;
    }

    private boolean overwrite(long key, MemorySegment vectors, long vectorOffset) {
        int set = setOf(key);
        long version = lock(set);
        int slot = find(set, KeyHash.mix(key), key);
        if (slot >= 0) {
            MemorySegment.copy(vectors, vectorOffset, slab, slot * rowBytes, rowBytes);
        }
        unlock(set, version);
        return slot >= 0;
    }

    private boolean remove(long key) {
        int set = setOf(key);
        long version = lock(set);
        int h = set * HEADER_LONGS;
        int slot = find(set, KeyHash.mix(key), key);
        if (slot >= 0) {
            headers[h + OCCUPIED] &= ~(1L << (slot - set * WAYS));
            slots[2 * slot + 1] = 0;
            size.decrement();
        }
        unlock(set, version);
        return slot >= 0;
    }

    private int snapshot(int set, long[] setKeys, MemorySegment setVectors) {
        int h = set * HEADER_LONGS;
        for (int attempt = 0; ; attempt++) {
            long version = (long) LONGS.getAcquire(headers, h + VERSION);
            if ((version & 1) == 0) {
                int occupied = (int) headers[h + OCCUPIED];
                for (int way = 0; way < WAYS; way++) {
                    setKeys[way] = slots[2 * (set * WAYS + way)];
                }
                MemorySegment.copy(slab, set * WAYS * rowBytes, setVectors, 0, WAYS * rowBytes);
                VarHandle.loadLoadFence();
                if ((long) LONGS.getAcquire(headers, h + VERSION) == version) {
                    return occupied;
                }
            }
            Spin.backOff(attempt);
        }
    }

    /** Takes the set for writing; returns the even version it had. */
    private long lock(int set) {
        int h = set * HEADER_LONGS + VERSION;
        for (int attempt = 0; ; attempt++) {
            long version = (long) LONGS.getVolatile(headers, h);
            if ((version & 1) == 0 && LONGS.compareAndSet(headers, h, version, version + 1)) {
                VarHandle.storeStoreFence();
                return version;
            }
            Spin.backOff(attempt);
        }
    }

    private void unlock(int set, long version) {
        LONGS.setRelease(headers, set * HEADER_LONGS + VERSION, version + 2);
    }

    @Override
    public String toString() {
        return "CpuEmbeddingCache[dimension=" + dimension + " capacity=" + capacity() + " size=" + size() + "]";
    }
}
