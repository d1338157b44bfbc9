package io.hps.cache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link CacheMode#STATIC static} {@link DeviceCache} in CPU memory: the whole table resident
 * (HugeCTR's static table, the "native" path). Holds exactly {@code capacityRows} keys and never
 * evicts; a new key beyond that is a {@link CacheCapacityExceededException}.
 *
 * <h2>Layout</h2>
 * Rows are handed out in insertion order: row {@code r} has its key in {@code rows[2r]}, a state
 * word in {@code rows[2r + 1]} (bit 0: being written, bit 1: present, bits 2..63: version) and its
 * vector at byte {@code r * dimension * 4} of one off-heap slab allocated at construction (on
 * transparent huge pages where possible, see {@link OffHeapSlab}). A dense open-addressing index
 * (linear probing, power-of-two size, load at most 1/2) maps a key to its row: slot {@code i} holds
 * the key in {@code index[2i]} and {@code row + 1} in {@code index[2i + 1]}, 0 when empty, so no
 * key value is reserved. Key and row word share a cache line in both arrays. A key keeps its row
 * until {@link #clear()}: {@link #invalidate invalidate} only clears its present bit, and
 * inserting it again reuses the row.
 *
 * <h2>Concurrency</h2>
 * Writes (replace, update, invalidate, clear) are serialized by one lock: a static table is built
 * once and updated rarely. Queries never lock: each row is a seqlock, and a reader accepts a row
 * only when its state was unchanged around the copy, the row was present and its key was the key
 * looked up; otherwise it retries or reports a miss. Checking the row's own key makes a stale index
 * entry (seen while {@code clear()} recycles rows) harmless.
 */
public final class CpuStaticTable implements DeviceCache {
    private static final long WRITING = 1;
    private static final long PRESENT = 2;
    private static final int VERSION_SHIFT = 2;
    private static final long MAX_ROWS = 1L << 28;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int capacity;
    private final int dimension;
    private final long rowBytes;
    private final long[] index;
    private final int indexMask;
    private final long[] rows;
    private final Arena arena;
    private final MemorySegment slab;
    private final Object writeLock = new Object();
    private final CacheCounters counters = new CacheCounters();
    private volatile int rowCount;
    private volatile long size;

    /** Allocates the whole slab now ({@code capacityRows * dimension * 4} bytes off-heap). */
    public CpuStaticTable(DeviceCacheConfig config) {
        if (config.mode() != CacheMode.STATIC) {
            throw new IllegalArgumentException("static table is static: mode=" + config.mode());
        }
        if (config.capacityRows() > MAX_ROWS) {
            throw new IllegalArgumentException(
                    "static table too large: capacityRows=" + config.capacityRows() + " maxRows=" + MAX_ROWS);
        }
        this.capacity = (int) config.capacityRows();
        this.dimension = config.dimension();
        this.rowBytes = config.vectorBytes();
        int indexSize = Math.max(2, Integer.highestOneBit(capacity - 1 | 1) << 2);
        this.index = new long[2 * indexSize];
        this.indexMask = indexSize - 1;
        this.rows = new long[2 * capacity];
        this.arena = Arena.ofShared();
        this.slab = OffHeapSlab.allocate(arena, capacity * rowBytes);
    }

    @Override
    public CacheMode mode() {
        return CacheMode.STATIC;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    /** Exactly the configured capacity. */
    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public CacheCounters counters() {
        return counters;
    }

    @Override
    public int query(long[] keys, int offset, int count, MemorySegment out, long outOffsetBytes, MissList misses) {
        BatchArguments.checkQuery(keys, offset, count, out, outOffsetBytes, rowBytes, misses);
        misses.clear();
        for (int i = 0; i < count; i++) {
            long key = keys[offset + i];
            int row = rowOf(key);
            if (row < 0 || !read(row, key, out, outOffsetBytes + i * rowBytes)) {
                misses.add(i);
            }
        }
        int hits = count - misses.count();
        counters.recordQuery(hits, misses.count());
        return hits;
    }

    @Override
    public void replace(long[] keys, int offset, int count, MemorySegment vectors, long vectorsOffsetBytes) {
        BatchArguments.checkWrite(keys, offset, count, vectors, vectorsOffsetBytes, rowBytes);
        synchronized (writeLock) {
            for (int i = 0; i < count; i++) {
                store(keys[offset + i], vectors, vectorsOffsetBytes + i * rowBytes);
            }
        }
    }

    @Override
    public int update(long[] keys, int offset, int count, MemorySegment vectors, long vectorsOffsetBytes) {
        BatchArguments.checkWrite(keys, offset, count, vectors, vectorsOffsetBytes, rowBytes);
        int updated = 0;
        synchronized (writeLock) {
            for (int i = 0; i < count; i++) {
                int row = rowOf(keys[offset + i]);
                if (row >= 0 && (rows[2 * row + 1] & PRESENT) != 0) {
                    write(row, vectors, vectorsOffsetBytes + i * rowBytes);
                    updated++;
                }
            }
        }
        return updated;
    }

    @Override
    public int invalidate(long[] keys, int offset, int count) {
        BatchArguments.checkKeys(keys, offset, count);
        int removed = 0;
        synchronized (writeLock) {
            for (int i = 0; i < count; i++) {
                int row = rowOf(keys[offset + i]);
                if (row >= 0 && (rows[2 * row + 1] & PRESENT) != 0) {
                    setPresent(row, false);
                    removed++;
                }
            }
            size -= removed;
        }
        return removed;
    }

    @Override
    public void dump(CacheEntryConsumer consumer) {
        try (Arena scratchArena = Arena.ofConfined()) {
            MemorySegment vector = scratchArena.allocate(rowBytes, 64);
            long[] key = new long[1];
            int rowLimit = rowCount;
            for (int row = 0; row < rowLimit; row++) {
                if (snapshot(row, vector, key)) {
                    consumer.accept(key[0], vector);
                }
            }
        }
    }

    @Override
    public void clear() {
        synchronized (writeLock) {
            for (int row = 0; row < rowCount; row++) {
                setPresent(row, false);
            }
            for (int i = 1; i < index.length; i += 2) {
                index[i] = 0;
            }
            VarHandle.storeStoreFence();
            rowCount = 0;
            size = 0;
        }
    }

    @Override
    public void close() {
        arena.close();
    }

    /** The row the index maps the key to, or -1; may be stale while {@link #clear()} runs. */
    private int rowOf(long key) {
        for (int i = (int) KeyHash.mix(key) & indexMask; ; i = i + 1 & indexMask) {
            long rowPlusOne = (long) LONGS.getAcquire(index, 2 * i + 1);
            if (rowPlusOne == 0) {
                return -1;
            }
            if (index[2 * i] == key) {
                return (int) rowPlusOne - 1;
            }
        }
    }

    private boolean read(int row, long key, MemorySegment out, long outOffset) {
        for (int attempt = 0; ; attempt++) {
            long state = (long) LONGS.getAcquire(rows, 2 * row + 1);
            if ((state & WRITING) == 0) {
                boolean hit = (state & PRESENT) != 0 && rows[2 * row] == key;
                if (hit) {
                    MemorySegment.copy(slab, row * rowBytes, out, outOffset, rowBytes);
                }
                VarHandle.loadLoadFence();
                if ((long) LONGS.getAcquire(rows, 2 * row + 1) == state) {
                    return hit;
                }
            }
            Spin.backOff(attempt);
        }
    }

    /** Copies the row's key and vector out; returns whether the row was present. */
    private boolean snapshot(int row, MemorySegment vector, long[] key) {
        for (int attempt = 0; ; attempt++) {
            long state = (long) LONGS.getAcquire(rows, 2 * row + 1);
            if ((state & WRITING) == 0) {
                key[0] = rows[2 * row];
                MemorySegment.copy(slab, row * rowBytes, vector, 0, rowBytes);
                VarHandle.loadLoadFence();
                if ((long) LONGS.getAcquire(rows, 2 * row + 1) == state) {
                    return (state & PRESENT) != 0;
                }
            }
            Spin.backOff(attempt);
        }
    }

    /** Under the write lock. */
    private void store(long key, MemorySegment vectors, long vectorOffset) {
        int row = rowOf(key);
        if (row < 0) {
            row = append(key);
        }
        boolean wasPresent = (rows[2 * row + 1] & PRESENT) != 0;
        write(row, vectors, vectorOffset);
        if (!wasPresent) {
            size++;
            counters.recordInsertions(1);
        }
    }

    /** Under the write lock: gives the key the next free row and publishes it in the index. */
    private int append(long key) {
        int row = rowCount;
        if (row == capacity) {
            throw new CacheCapacityExceededException(capacity, key);
        }
        long state = begin(row);
        rows[2 * row] = key;
        end(row, state, false);
        int i = (int) KeyHash.mix(key) & indexMask;
        while (index[2 * i + 1] != 0) {
            i = i + 1 & indexMask;
        }
        index[2 * i] = key;
        LONGS.setRelease(index, 2 * i + 1, row + 1L);
        rowCount = row + 1;
        return row;
    }

    /** Under the write lock: overwrites the row's vector and marks it present. */
    private void write(int row, MemorySegment vectors, long vectorOffset) {
        long state = begin(row);
        MemorySegment.copy(vectors, vectorOffset, slab, row * rowBytes, rowBytes);
        end(row, state, true);
    }

    private void setPresent(int row, boolean present) {
        end(row, begin(row), present);
    }

    private long begin(int row) {
        long state = rows[2 * row + 1];
        LONGS.setVolatile(rows, 2 * row + 1, state | WRITING);
        VarHandle.storeStoreFence();
        return state;
    }

    private void end(int row, long state, boolean present) {
        long version = (state >>> VERSION_SHIFT) + 1;
        LONGS.setRelease(rows, 2 * row + 1, version << VERSION_SHIFT | (present ? PRESENT : 0));
    }

    @Override
    public String toString() {
        return "CpuStaticTable[dimension=" + dimension + " capacity=" + capacity + " size=" + size + "]";
    }
}
