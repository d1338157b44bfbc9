// Set-associative embedding cache in device memory: sets of 32 slots, one warp per key.
//
// Table layout (all arrays allocated by io.hps.gpu.cache.DeviceHashTable):
//   slot_keys[sets * 32]   int64 key of each slot (meaningful only where the slot's occupied bit is set)
//   stamps[sets * 32]      uint64 tick of the slot's last query hit or write (LRU-like eviction)
//   slot_rows[sets * 32]   int32 vector row of each slot; used only when the table does not evict
//   occupied[sets]         bit w set: slot w of the set holds a key (no key value is reserved as "empty")
//   present[sets]          bit w set: the key of slot w is resident (equal to occupied in an evicting table)
//   locks[sets]            0 free, 1 held: writers of one set (replace, update) take it with atomicCAS
//   vectors[rows * dim]    float32 rows; an evicting table uses row = slot
//   stats[8]               u32 words of the last operation (see STAT_*), zeroed before each one; word 6 the rows
//                          handed out so far; STAT_FIRST_REJECTED holds ~index of the lowest rejected key, 0 if none
//
// A key lives in set home(key) = mulhi(fmix64(key), sets). An evicting table never leaves that set: inserting
// into a full set evicts its slot with the smallest stamp (ties: the lowest slot). A non-evicting (static) table
// never frees a slot except by clear, hands out vector rows in insertion order up to row_capacity, and follows
// full sets to the next set (linear probing over sets), so a lookup stops at the first set with a free slot.
//
// Operations of one launch may touch one set from several warps; replace and update hold the set's lock while
// they read its masks, write a slot and copy a vector, so a batch that repeats a key leaves one complete row.
// Launches are serialised on one stream by the host; queries never run concurrently with writes.

#define WAYS 32
#define FULL_MASK 0xffffffffu

#define STAT_INSERTED 0
#define STAT_EVICTED 1
#define STAT_MATCHED 2
#define STAT_MISSED 3
#define STAT_FIRST_REJECTED 4
#define STAT_DUMPED 5
#define STAT_ROWS_USED 6

typedef unsigned long long u64;

struct Table {
    long long* slot_keys;
    u64* stamps;
    int* slot_rows;
    unsigned* occupied;
    unsigned* present;
    int* locks;
    float* vectors;
    unsigned* stats;
    int sets;
    int dim;
    int evicting;
    int row_capacity;
};

// Every kernel takes the table as these parameters, in this order (the struct is assembled on the device).
#define TABLE_PARAMS                                                                                          \
    long long *slot_keys, u64 *stamps, int *slot_rows, unsigned *occupied, unsigned *present, int *locks,    \
        float *vectors, unsigned *stats, int sets, int dim, int evicting, int row_capacity
#define TABLE_OF_PARAMS                                                                                       \
    Table t = {slot_keys, stamps, slot_rows, occupied, present, locks, vectors, stats, sets, dim, evicting,  \
               row_capacity}

__device__ __forceinline__ u64 fmix64(u64 h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

__device__ __forceinline__ int home_set(long long key, int sets) {
    return static_cast<int>(__umul64hi(fmix64(static_cast<u64>(key)), static_cast<u64>(sets)));
}

__device__ __forceinline__ int next_set(int set, int sets) {
    return set + 1 == sets ? 0 : set + 1;
}

__device__ __forceinline__ int lane_id() {
    return threadIdx.x & (WAYS - 1);
}

__device__ __forceinline__ long long warp_id() {
    return (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) / WAYS;
}

__device__ __forceinline__ long long warp_count() {
    return static_cast<long long>(gridDim.x) * blockDim.x / WAYS;
}

__device__ __forceinline__ long long row_of(const Table& t, int slot) {
    return t.evicting ? slot : __ldcg(t.slot_rows + slot);
}

// Copies one row of dim floats with the whole warp; 16-byte accesses when both rows allow them.
__device__ __forceinline__ void copy_row(float* dst, const float* src, int dim, int lane) {
    bool wide = (dim & 3) == 0 && ((reinterpret_cast<size_t>(dst) | reinterpret_cast<size_t>(src)) & 15) == 0;
    if (wide) {
        const float4* s4 = reinterpret_cast<const float4*>(src);
        float4* d4 = reinterpret_cast<float4*>(dst);
        for (int q = lane; q < dim / 4; q += WAYS) {
            __stcg(d4 + q, __ldcg(s4 + q));
        }
    } else {
        for (int j = lane; j < dim; j += WAYS) {
            __stcg(dst + j, __ldcg(src + j));
        }
    }
}

// The way of `key` among the set's slots whose bit is set in `mask`, or -1. Same answer in every lane.
__device__ __forceinline__ int match_way(const Table& t, int set, unsigned mask, long long key, int lane) {
    long long k = __ldcg(t.slot_keys + static_cast<long long>(set) * WAYS + lane);
    unsigned hits = __ballot_sync(FULL_MASK, ((mask >> lane) & 1u) && k == key);
    return hits ? __ffs(hits) - 1 : -1;
}

// The resident slot of `key`, or -1: the home set, then (static tables) the sets after each full one.
__device__ int find_present(const Table& t, long long key, int lane) {
    int set = home_set(key, t.sets);
    for (int step = 0; step < t.sets; step++) {
        unsigned pres = __ldcg(t.present + set);
        int way = match_way(t, set, pres, key, lane);
        if (way >= 0) {
            return set * WAYS + way;
        }
        if (t.evicting || __ldcg(t.occupied + set) != FULL_MASK) {
            return -1;
        }
        set = next_set(set, t.sets);
    }
    return -1;
}

__device__ __forceinline__ void lock_set(const Table& t, int set, int lane) {
    if (lane == 0) {
        while (atomicCAS(t.locks + set, 0, 1) != 0) {
            __nanosleep(20);
        }
        __threadfence();
    }
    __syncwarp();
}

__device__ __forceinline__ void unlock_set(const Table& t, int set, int lane) {
    __threadfence();
    __syncwarp();
    if (lane == 0) {
        atomicExch(t.locks + set, 0);
    }
}

// The way with the smallest stamp in the set (ties: the lowest way). Same answer in every lane.
__device__ __forceinline__ int least_recent_way(const Table& t, int set, int lane) {
    u64 stamp = __ldcg(t.stamps + static_cast<long long>(set) * WAYS + lane);
    int way = lane;
    for (int d = WAYS / 2; d > 0; d >>= 1) {
        u64 other_stamp = __shfl_xor_sync(FULL_MASK, stamp, d);
        int other_way = __shfl_xor_sync(FULL_MASK, way, d);
        if (other_stamp < stamp || (other_stamp == stamp && other_way < way)) {
            stamp = other_stamp;
            way = other_way;
        }
    }
    return way;
}

// Hands out the next vector row of a static table, or -1 when all row_capacity rows are taken.
__device__ int claim_row(const Table& t) {
    unsigned* used = t.stats + STAT_ROWS_USED;
    unsigned seen = atomicAdd(used, 0u);
    while (seen < static_cast<unsigned>(t.row_capacity)) {
        unsigned before = atomicCAS(used, seen, seen + 1);
        if (before == seen) {
            return static_cast<int>(seen);
        }
        seen = before;
    }
    return -1;
}

// Locks the set that holds `key` or would receive it and returns set * WAYS + way of the key's slot there
// (-1 - set when the key is absent). Static tables walk past full sets without the key. The set stays locked.
__device__ int locate_locked(const Table& t, long long key, int lane, int* set_out) {
    int set = home_set(key, t.sets);
    for (int step = 0;; step++) {
        lock_set(t, set, lane);
        unsigned occ = __ldcg(t.occupied + set);
        int way = match_way(t, set, occ, key, lane);
        if (way >= 0 || t.evicting || occ != FULL_MASK || step + 1 >= t.sets) {
            *set_out = set;
            return way >= 0 ? set * WAYS + way : -1 - set;
        }
        unlock_set(t, set, lane);
        set = next_set(set, t.sets);
    }
}

// Query: hits copied to out row i, recency refreshed; misses appended (unordered) to miss_indices, and with
// zero_misses their rows zero-filled, so that the output is complete when the kernel ends.
// Launched with 256 threads; capped at 32 registers so that 8 blocks (64 warps) fit on each multiprocessor.
extern "C" __global__ void __launch_bounds__(256, 8) cache_query(TABLE_PARAMS, const long long* __restrict__ keys, int count,
                                       float* __restrict__ out, int* __restrict__ miss_indices, u64 tick,
                                       int zero_misses) {
    TABLE_OF_PARAMS;
    int lane = lane_id();
    for (long long i = warp_id(); i < count; i += warp_count()) {
        long long key = keys[i];
        int slot = find_present(t, key, lane);
        if (slot >= 0) {
            copy_row(out + i * t.dim, t.vectors + row_of(t, slot) * t.dim, t.dim, lane);
            if (lane == 0) {
                t.stamps[slot] = tick;
            }
        } else {
            if (zero_misses) {
                for (int j = lane; j < t.dim; j += WAYS) {
                    __stcg(out + i * t.dim + j, 0.0f);
                }
            }
            if (lane == 0) {
                unsigned at = atomicAdd(t.stats + STAT_MISSED, 1u);
                miss_indices[at] = static_cast<int>(i);
            }
        }
    }
}

// Replace: insert or overwrite; an evicting table evicts the least recent slot of a full set, a static table
// records the lowest rejected batch index when it has no row left for a new key.
extern "C" __global__ void cache_replace(TABLE_PARAMS, const long long* __restrict__ keys, int count,
                                         const float* __restrict__ rows, u64 tick) {
    TABLE_OF_PARAMS;
    int lane = lane_id();
    for (long long i = warp_id(); i < count; i += warp_count()) {
        long long key = keys[i];
        int set;
        int found = locate_locked(t, key, lane, &set);
        unsigned occ = __ldcg(t.occupied + set);
        unsigned pres = __ldcg(t.present + set);
        int way;
        bool evicts = false;
        if (found >= 0) {
            way = found - set * WAYS;
        } else if (occ != FULL_MASK) {
            way = __ffs(~occ) - 1;
        } else {
            way = least_recent_way(t, set, lane);
            evicts = true;
        }
        int slot = set * WAYS + way;
        long long row = slot;
        if (!t.evicting) {
            int claimed = 0;
            if (lane == 0) {
                claimed = found >= 0 ? __ldcg(t.slot_rows + slot) : (occ != FULL_MASK ? claim_row(t) : -1);
            }
            claimed = __shfl_sync(FULL_MASK, claimed, 0);
            if (claimed < 0) {
                unlock_set(t, set, lane);
                if (lane == 0) {
                    atomicMax(t.stats + STAT_FIRST_REJECTED, ~static_cast<unsigned>(i));
                }
                continue;
            }
            row = claimed;
        }
        copy_row(t.vectors + row * t.dim, rows + i * t.dim, t.dim, lane);
        if (lane == 0) {
            unsigned bit = 1u << way;
            t.slot_keys[slot] = key;
            t.stamps[slot] = tick;
            if (!t.evicting) {
                t.slot_rows[slot] = static_cast<int>(row);
            }
            t.occupied[set] = occ | bit;
            t.present[set] = pres | bit;
            if (!(found >= 0 && (pres & bit))) {
                atomicAdd(t.stats + STAT_INSERTED, 1u);
            }
            if (evicts) {
                atomicAdd(t.stats + STAT_EVICTED, 1u);
            }
        }
        unlock_set(t, set, lane);
    }
}

// Update: overwrite the rows of resident keys; count them in STAT_MATCHED. Inserts nothing.
extern "C" __global__ void cache_update(TABLE_PARAMS, const long long* __restrict__ keys, int count,
                                        const float* __restrict__ rows) {
    TABLE_OF_PARAMS;
    int lane = lane_id();
    for (long long i = warp_id(); i < count; i += warp_count()) {
        int set;
        int found = locate_locked(t, keys[i], lane, &set);
        bool resident = found >= 0 && ((__ldcg(t.present + set) >> (found - set * WAYS)) & 1u);
        if (resident) {
            copy_row(t.vectors + row_of(t, found) * t.dim, rows + i * t.dim, t.dim, lane);
            if (lane == 0) {
                atomicAdd(t.stats + STAT_MATCHED, 1u);
            }
        }
        unlock_set(t, set, lane);
    }
}

// Invalidate: clear the present bit (and in an evicting table the occupied bit) of each resident key; a key
// repeated in the batch is counted once in STAT_MATCHED. A static table keeps the key's slot and row.
extern "C" __global__ void cache_invalidate(TABLE_PARAMS, const long long* __restrict__ keys, int count) {
    TABLE_OF_PARAMS;
    int lane = lane_id();
    for (long long i = warp_id(); i < count; i += warp_count()) {
        int slot = find_present(t, keys[i], lane);
        if (slot >= 0 && lane == 0) {
            int set = slot / WAYS;
            unsigned bit = 1u << (slot % WAYS);
            unsigned before = atomicAnd(t.present + set, ~bit);
            if (t.evicting) {
                atomicAnd(t.occupied + set, ~bit);
            }
            if (before & bit) {
                atomicAdd(t.stats + STAT_MATCHED, 1u);
            }
        }
    }
}

// Dump: the resident keys of sets [first_set, first_set + set_count) and their rows, packed in any order;
// STAT_DUMPED counts them. out_keys and out_rows hold set_count * 32 entries.
extern "C" __global__ void cache_dump(TABLE_PARAMS, int first_set, int set_count, long long* __restrict__ out_keys,
                                      float* __restrict__ out_rows) {
    TABLE_OF_PARAMS;
    int lane = lane_id();
    for (long long s = warp_id(); s < set_count; s += warp_count()) {
        int set = first_set + static_cast<int>(s);
        unsigned pres = __ldcg(t.present + set);
        if (pres == 0) {
            continue;
        }
        unsigned base = 0;
        if (lane == 0) {
            base = atomicAdd(t.stats + STAT_DUMPED, static_cast<unsigned>(__popc(pres)));
        }
        base = __shfl_sync(FULL_MASK, base, 0);
        for (unsigned left = pres; left != 0; left &= left - 1) {
            int way = __ffs(left) - 1;
            int slot = set * WAYS + way;
            if (lane == 0) {
                out_keys[base] = __ldcg(t.slot_keys + slot);
            }
            copy_row(out_rows + static_cast<long long>(base) * t.dim, t.vectors + row_of(t, slot) * t.dim, t.dim,
                     lane);
            base++;
        }
    }
}
