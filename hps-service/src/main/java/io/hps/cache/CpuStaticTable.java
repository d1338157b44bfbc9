package io.hps.cache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * A {@link CacheMode#STATIC static} {@link DeviceCache} in CPU memory: the whole table resident
 * (HugeCTR's static table, the "native" path). Holds exactly {@code capacityRows} keys and never
 * evicts; a new key beyond that is a {@link CacheCapacityExceededException}.
 *
 * <h2>Layout</h2>
 * Rows are handed out in insertion order: row {@code r} has its key in {@code rowKeys[r]}, a state
 * word in {@code rowStates[r]} (bit 0: being written, bit 1: present, bits 2..31: version) and its
 * vector at byte {@code r * dimension * 4} of one off-heap slab allocated at construction. A dense
 * open-addressing index (linear probing, power-of-two size, load at most 1/2) maps a key to its
 * row; an index slot holds {@code row + 1}, 0 when empty, so no key value is reserved. A key keeps
 * its row until {@link #clear()}: {@link #invalidate invalidate} only clears its present bit, and
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
    private static final int WRITING = 1;
    private static final int PRESENT = 2;
    private static final int VERSION_SHIFT = 2;
    private static final long MAX_ROWS = 1L << 29;
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private final int capacity;
    private final int dimension;
    private final long rowBytes;
    private final long[] indexKeys;
    private final int[] indexRows;
    private final int indexMask;
    private final long[] rowKeys;
    private final int[] rowStates;
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
        this.indexKeys = new long[indexSize];
        this.indexRows = new int[indexSize];
        this.indexMask = indexSize - 1;
        this.rowKeys = new long[capacity];
        this.rowStates = new int[capacity];
        this.arena = Arena.ofShared();
        this.slab = arena.allocate(capacity * rowBytes, 64);
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
                if (row >= 0 && (rowStates[row] & PRESENT) != 0) {
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
                if (row >= 0 && (rowStates[row] & PRESENT) != 0) {
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
            int rows = rowCount;
            for (int row = 0; row < rows; row++) {
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
            Arrays.fill(indexRows, 0);
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
            int rowPlusOne = (int) INTS.getAcquire(indexRows, i);
            if (rowPlusOne == 0) {
                return -1;
            }
            if (indexKeys[i] == key) {
                return rowPlusOne - 1;
            }
        }
    }

    private boolean read(int row, long key, MemorySegment out, long outOffset) {
        for (int attempt = 0; ; attempt++) {
            int state = (int) INTS.getAcquire(rowStates, row);
            if ((state & WRITING) == 0) {
                boolean hit = (state & PRESENT) != 0 && rowKeys[row] == key;
                if (hit) {
                    MemorySegment.copy(slab, row * rowBytes, out, outOffset, rowBytes);
                }
                VarHandle.loadLoadFence();
                if ((int) INTS.getAcquire(rowStates, row) == state) {
                    return hit;
                }
            }
            Spin.backOff(attempt);
        }
    }

    /** Copies the row's key and vector out; returns whether the row was present. */
    private boolean snapshot(int row, MemorySegment vector, long[] key) {
        for (int attempt = 0; ; attempt++) {
            int state = (int) INTS.getAcquire(rowStates, row);
            if ((state & WRITING) == 0) {
                key[0] = rowKeys[row];
                MemorySegment.copy(slab, row * rowBytes, vector, 0, rowBytes);
                VarHandle.loadLoadFence();
                if ((int) INTS.getAcquire(rowStates, row) == state) {
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
        boolean wasPresent = (rowStates[row] & PRESENT) != 0;
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
        int state = begin(row);
        rowKeys[row] = key;
        end(row, state, false);
        int i = (int) KeyHash.mix(key) & indexMask;
        while (indexRows[i] != 0) {
            i = i + 1 & indexMask;
        }
        indexKeys[i] = key;
        INTS.setRelease(indexRows, i, row + 1);
        rowCount = row + 1;
        return row;
    }

    /** Under the write lock: overwrites the row's vector and marks it present. */
    private void write(int row, MemorySegment vectors, long vectorOffset) {
        int state = begin(row);
        MemorySegment.copy(vectors, vectorOffset, slab, row * rowBytes, rowBytes);
        end(row, state, true);
    }

    private void setPresent(int row, boolean present) {
        end(row, begin(row), present);
    }

    private int begin(int row) {
        int state = rowStates[row];
        INTS.setVolatile(rowStates, row, state | WRITING);
        VarHandle.storeStoreFence();
        return state;
    }

    private void end(int row, int state, boolean present) {
        int version = (state >>> VERSION_SHIFT) + 1;
        INTS.setRelease(rowStates, row, version << VERSION_SHIFT | (present ? PRESENT : 0));
    }

    @Override
    public String toString() {
        return "CpuStaticTable[dimension=" + dimension + " capacity=" + capacity + " size=" + size + "]";
    }
}
