package io.hps.tier;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.StampedLock;

/**
 * One partition of a {@link HashMapTier} table: an open-addressing (linear probing, backward-shift
 * deletion) index from key to entry number over dense entry arrays, with vectors in off-heap slabs.
 *
 * <pre>
 * slotKeys[s], slotEntries[s]     index: slotEntries[s] = entry + 1, 0 = empty slot
 * entryKeys[e], entryMeta[e]      dense entries 0..size-1; meta = access count or last-touch tick
 * slabs[e / slabEntries]          vector of entry e at (e % slabEntries) * vectorBytes
 * </pre>
 *
 * Removing an entry moves the last entry into its place, so entries stay dense and slabs never
 * fragment. Slabs come from an automatic arena and are freed by the garbage collector once the
 * partition is cleared or dropped.
 *
 * <p>Threads: callers hold {@link #lock}: the read lock for {@link #read}, the write lock for
 * every other method. Meta updates under the read lock are atomic increments or opaque stores.
 */
final class HashMapPartition {
    private static final VarHandle META = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int MIN_SLOTS = 16;

    final StampedLock lock = new StampedLock();
    private final int vectorBytes;
    private final int slabShift;
    private final long slabMask;
    private static final long FIRST_SLAB_BYTES = 64 * 1024;
    private MemorySegment[] slabs = new MemorySegment[0];
    private long[] entryKeys = new long[0];
    private long[] entryMeta = new long[0];
    private int size;
    private long[] slotKeys = new long[MIN_SLOTS];
    private int[] slotEntries = new int[MIN_SLOTS];
    private int slotShift = Long.SIZE - Integer.numberOfTrailingZeros(MIN_SLOTS);

    HashMapPartition(int vectorBytes, long allocationRateBytes) {
        this.vectorBytes = vectorBytes;
        long entriesPerSlab = Math.max(1, allocationRateBytes / vectorBytes);
        this.slabShift = 63 - Long.numberOfLeadingZeros(entriesPerSlab);
        this.slabMask = (1L << slabShift) - 1;
    }

    int size() {
        return size;
    }

    /**
     * Copies the vectors of {@code keys[order[from, to)]} found here into {@code out} at
     * {@code index * vectorBytes} and marks them in {@code found}; returns the number found.
     * Counts reads for {@code EVICT_LEAST_USED}, stamps {@code tick} for {@code EVICT_OLDEST}.
     */
    int read(long[] keys, int[] order, int from, int to, MemorySegment out, boolean[] found,
             OverflowPolicy policy, long tick) {
        int hits = 0;
        for (int j = from; j < to; j++) {
            int index = order[j];
            int entry = find(keys[index]);
            if (entry >= 0) {
                MemorySegment.copy(slab(entry), offset(entry), out, (long) index * vectorBytes, vectorBytes);
                found[index] = true;
                touch(entry, policy, tick);
                hits++;
            }
        }
        return hits;
    }

    /** Inserts or overwrites {@code key}; the vector is read from {@code source} at {@code offset}. */
    void write(long key, MemorySegment source, long offset, long meta) {
        int entry = find(key);
        if (entry < 0) {
            entry = append(key);
        }
        MemorySegment.copy(source, offset, slab(entry), offset(entry), vectorBytes);
        entryMeta[entry] = meta;
    }

    /** Whether {@code key} is stored here. */
    boolean contains(long key) {
        return find(key) >= 0;
    }

    /** Removes {@code key}; returns whether it was present. */
    boolean remove(long key) {
        int slot = slotOf(key);
        if (slot < 0) {
            return false;
        }
        int entry = slotEntries[slot] - 1;
        deleteSlot(slot);
        moveLastInto(entry);
        return true;
    }

    /** Evicts entries by {@code policy} until at most {@code targetEntries} remain; returns the number evicted. */
    int evict(OverflowPolicy policy, int targetEntries) {
        int excess = size - targetEntries;
        if (excess <= 0) {
            return 0;
        }
        if (policy == OverflowPolicy.EVICT_RANDOM) {
            evictRandom(excess);
        } else {
            evictLowestMeta(excess);
        }
        if (policy == OverflowPolicy.EVICT_LEAST_USED) {
            normalizeAccessCounts();
        }
        return excess;
    }

    /** Removes every entry and releases the slabs to the garbage collector. */
    void clear() {
        slabs = new MemorySegment[0];
        entryKeys = new long[0];
        entryMeta = new long[0];
        size = 0;
        slotKeys = new long[MIN_SLOTS];
        slotEntries = new int[MIN_SLOTS];
        slotShift = Long.SIZE - Integer.numberOfTrailingZeros(MIN_SLOTS);
    }

    /** Copies up to {@code keys.length} entries starting at entry {@code first}; returns how many. */
    int copyEntries(int first, long[] keys, MemorySegment vectors) {
        int n = Math.min(keys.length, size - first);
        for (int i = 0; i < n; i++) {
            keys[i] = entryKeys[first + i];
            MemorySegment.copy(slab(first + i), offset(first + i), vectors, (long) i * vectorBytes, vectorBytes);
        }
        return Math.max(n, 0);
    }

    private void touch(int entry, OverflowPolicy policy, long tick) {
        switch (policy) {
            case EVICT_LEAST_USED -> META.getAndAdd(entryMeta, entry, 1L);
            case EVICT_OLDEST -> META.setOpaque(entryMeta, entry, tick);
            case EVICT_RANDOM -> { }
        }
    }

    private void evictRandom(int excess) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < excess; i++) {
            remove(entryKeys[random.nextInt(size)]);
        }
    }

    /** Evicts the {@code excess} entries with the smallest meta; ties at the threshold go by entry order. */
    private void evictLowestMeta(int excess) {
        long[] sorted = Arrays.copyOf(entryMeta, size);
        Arrays.sort(sorted);
        long threshold = sorted[excess - 1];
        int atThreshold = excess;
        for (int i = 0; i < excess; i++) {
            if (sorted[i] < threshold) {
                atThreshold--;
            }
        }
        for (int entry = size - 1; entry >= 0; entry--) {
            long meta = entryMeta[entry];
            if (meta < threshold || (meta == threshold && atThreshold-- > 0)) {
                remove(entryKeys[entry]);
            }
        }
    }

    /** HugeCTR's LFU normalisation: subtract the smallest remaining count, then halve. */
    private void normalizeAccessCounts() {
        long min = Long.MAX_VALUE;
        for (int entry = 0; entry < size; entry++) {
            min = Math.min(min, entryMeta[entry]);
        }
        for (int entry = 0; entry < size; entry++) {
            entryMeta[entry] = (entryMeta[entry] - min) / 2;
        }
    }

    private MemorySegment slab(int entry) {
        return slabs[entry >>> slabShift];
    }

    private long offset(int entry) {
        return (entry & slabMask) * vectorBytes;
    }

    private int find(long key) {
        int slot = slotOf(key);
        return slot < 0 ? -1 : slotEntries[slot] - 1;
    }

    private int slotOf(long key) {
        int mask = slotEntries.length - 1;
        for (int slot = home(key); ; slot = (slot + 1) & mask) {
            if (slotEntries[slot] == 0) {
                return -1;
            }
            if (slotKeys[slot] == key) {
                return slot;
            }
        }
    }

    private int home(long key) {
        return (int) (Rrxmrrxmsx0.hash(key) * 0x9E3779B97F4A7C15L >>> slotShift);
    }

    private int append(long key) {
        ensureCapacity(size + 1);
        int entry = size++;
        entryKeys[entry] = key;
        insertSlot(key, entry);
        return entry;
    }

    private void insertSlot(long key, int entry) {
        int mask = slotEntries.length - 1;
        int slot = home(key);
        while (slotEntries[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        slotKeys[slot] = key;
        slotEntries[slot] = entry + 1;
    }

    private void ensureCapacity(int entries) {
        if (entries > entryKeys.length) {
            int capacity = Math.max(16, entryKeys.length * 2);
            entryKeys = Arrays.copyOf(entryKeys, capacity);
            entryMeta = Arrays.copyOf(entryMeta, capacity);
        }
        int slabsNeeded = (int) ((entries + slabMask) >>> slabShift);
        long fullSlabBytes = (slabMask + 1) * vectorBytes;
        growFirstSlab(slabsNeeded > 1 ? fullSlabBytes : (long) entries * vectorBytes, fullSlabBytes);
        while (slabs.length < slabsNeeded) {
            slabs = Arrays.copyOf(slabs, slabs.length + 1);
            slabs[slabs.length - 1] = Arena.ofAuto().allocate(fullSlabBytes, Long.BYTES);
        }
        if ((long) entries * 2 > slotEntries.length) {
            rehash(slotEntries.length * 2);
        }
    }

    /**
     * The first slab starts small and doubles (copying) up to the full {@code allocation_rate}, so
     * that the many small partitions of small tables do not each reserve a full slab.
     */
    private void growFirstSlab(long neededBytes, long fullSlabBytes) {
        long current = slabs.length == 0 ? 0 : slabs[0].byteSize();
        if (neededBytes <= current) {
            return;
        }
        long size = Math.min(fullSlabBytes, Math.max(neededBytes, Math.max(FIRST_SLAB_BYTES, current * 2)));
        size = Math.min(fullSlabBytes, (size + vectorBytes - 1) / vectorBytes * vectorBytes);
        MemorySegment grown = Arena.ofAuto().allocate(size, Long.BYTES);
        if (current > 0) {
            MemorySegment.copy(slabs[0], 0, grown, 0, current);
        }
        if (slabs.length == 0) {
            slabs = new MemorySegment[] {grown};
        } else {
            slabs[0] = grown;
        }
    }

    private void rehash(int slots) {
        slotKeys = new long[slots];
        slotEntries = new int[slots];
        slotShift = Long.SIZE - Integer.numberOfTrailingZeros(slots);
        for (int entry = 0; entry < size; entry++) {
            insertSlot(entryKeys[entry], entry);
        }
    }

    /** Backward-shift deletion: pulls later members of the probe run into the hole. */
    private void deleteSlot(int slot) {
        int mask = slotEntries.length - 1;
        int hole = slot;
        for (int next = (hole + 1) & mask; slotEntries[next] != 0; next = (next + 1) & mask) {
            int wanted = home(slotKeys[next]);
            if (((next - wanted) & mask) >= ((next - hole) & mask)) {
                slotKeys[hole] = slotKeys[next];
                slotEntries[hole] = slotEntries[next];
                hole = next;
            }
        }
        slotEntries[hole] = 0;
    }

    private void moveLastInto(int entry) {
        int last = --size;
        if (entry != last) {
            long key = entryKeys[last];
            entryKeys[entry] = key;
            entryMeta[entry] = entryMeta[last];
            MemorySegment.copy(slab(last), offset(last), slab(entry), offset(entry), vectorBytes);
            slotEntries[slotOf(key)] = entry + 1;
        }
    }
}
