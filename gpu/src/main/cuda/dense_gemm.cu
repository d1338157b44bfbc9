// Dense layers of the DLRM forward: Y[M x N] = act(X[M x K] * W^T + b), W stored [N x K] row-major.
//
// Contract shared by every entry point (checked by the host before launch):
//   K % 4 == 0, lda % 4 == 0, ldw % 4 == 0, ldy % 2 == 0, all pointers 16-byte aligned.
//   Rows m >= M and columns k >= K of a tile are read as zeros; outputs outside M x N are not written.
//
// Three arithmetic modes share one tiling and one cp.async pipeline:
//   tf32:  mma.sync m16n8k8 on tensor cores, operands rounded with cvt.rna.tf32 as they leave shared memory
//          (relative norm error ~3e-4 against float64); accumulation in fp32.
//   tf32r: the same, for operands already rounded to tf32 in memory (weights rounded on upload, activations by
//          their producer with FLAG_ROUND_TF32): no conversion in the inner loop, identical results.
//   fp32:  plain FFMA on the same tiles (IEEE fp32 products and sums).
#include <cstdint>

namespace {

__device__ __forceinline__ void cp_async16(void* smem, const void* gmem, int src_bytes) {
    unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" :: "r"(s), "l"(gmem), "r"(src_bytes));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

template <int N>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" :: "n"(N)); }

__device__ __forceinline__ uint32_t to_tf32(float x) {
    uint32_t u;
    asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(u) : "f"(x));
    return u;
}

// Four 8x4 tf32 matrices (8 rows of 16 bytes each, row addresses from lanes 8m..8m+7 for matrix m) into the
// mma fragment layout: lane l receives element (l / 4, l % 4) of each matrix.
__device__ __forceinline__ void ldsm_x4(uint32_t (&d)[4], const float* row) {
    unsigned a = static_cast<unsigned>(__cvta_generic_to_shared(row));
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])
                 : "r"(a));
}

__device__ __forceinline__ void mma_tf32(float* c, const uint32_t* a, const uint32_t* b) {
    asm volatile(
        "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

enum class Mode { FP32, TF32, TF32_ROUNDED };

// Output flags of every GEMM entry point.
constexpr int FLAG_RELU = 1;        // apply max(0, .) after the bias
constexpr int FLAG_ROUND_TF32 = 2;  // store outputs rounded to tf32 (cvt.rna), for a consumer in TF32_ROUNDED mode

__device__ __forceinline__ float round_tf32(float x) { return __uint_as_float(to_tf32(x)); }

template <int BM, int BN, int BK, int WARPS_M, int WARPS_N, int STAGES, Mode MODE>
struct Gemm {
    static constexpr int THREADS = WARPS_M * WARPS_N * 32;
    static constexpr int LDS = BK + 4;  // padded row: conflict-free fragment reads, rows stay 16-byte aligned
    static constexpr int WM = BM / WARPS_M;
    static constexpr int WN = BN / WARPS_N;
    static constexpr int MI = WM / 16;
    static constexpr int NI = WN / 8;
    static constexpr int STAGE_FLOATS = (BM + BN) * LDS;

    __device__ static void load_rows(float* dst, const float* src, int ld, int row0, int rows_total, int k0, int K,
                                     int tile_rows) {
        constexpr int CH = BK / 4;
        for (int c = threadIdx.x; c < tile_rows * CH; c += THREADS) {
            int r = c / CH;
            int cc = c - r * CH;
            int gr = row0 + r;
            int gk = k0 + cc * 4;
            bool ok = gr < rows_total && gk < K;
            const float* p = ok ? src + static_cast<size_t>(gr) * ld + gk : src;
            cp_async16(dst + r * LDS + cc * 4, p, ok ? 16 : 0);
        }
    }

    // Operands in tf32: rounded here with cvt.rna (TF32), or already rounded in memory (TF32_ROUNDED: the
    // producer stored cvt.rna values and the weights were rounded on upload), when the bits are passed as they are.
    __device__ static uint32_t operand(float x) {
        if constexpr (MODE == Mode::TF32_ROUNDED) {
            return __float_as_uint(x);
        } else {
            return to_tf32(x);
        }
    }

    __device__ static void compute_tf32(const float* As, const float* Bs, int wm0, int wn0, float (&acc)[MI][NI][4]) {
        static_assert(NI % 2 == 0, "B fragments are loaded two n-tiles at a time");
        const int lane = threadIdx.x & 31;
        const int m = lane >> 3;  // which of the four 8x4 matrices this lane addresses
        const int r = lane & 7;
#pragma unroll
        for (int kk = 0; kk < BK; kk += 8) {
            uint32_t a[MI][4];
            uint32_t b[NI][2];
#pragma unroll
            for (int i = 0; i < MI; ++i) {
                // matrices: rows +0 / +8 (m & 1), columns kk / kk + 4 (m >> 1) -> a0, a1, a2, a3
                ldsm_x4(a[i], As + (wm0 + i * 16 + r + (m & 1) * 8) * LDS + kk + (m >> 1) * 4);
#pragma unroll
                for (int e = 0; e < 4; ++e) a[i][e] = operand(__uint_as_float(a[i][e]));
            }
#pragma unroll
            for (int j = 0; j < NI; j += 2) {
                // matrices: n-tile j / j + 1 (m >> 1), columns kk / kk + 4 (m & 1) -> b[j][0], b[j][1], b[j+1][0], b[j+1][1]
                uint32_t d[4];
                ldsm_x4(d, Bs + (wn0 + (j + (m >> 1)) * 8 + r) * LDS + kk + (m & 1) * 4);
                b[j][0] = operand(__uint_as_float(d[0]));
                b[j][1] = operand(__uint_as_float(d[1]));
                b[j + 1][0] = operand(__uint_as_float(d[2]));
                b[j + 1][1] = operand(__uint_as_float(d[3]));
            }
#pragma unroll
            for (int i = 0; i < MI; ++i)
#pragma unroll
                for (int j = 0; j < NI; ++j) mma_tf32(acc[i][j], a[i], b[j]);
        }
    }

    __device__ static float dot4(float acc, float4 x, float4 y) {
        acc = fmaf(x.x, y.x, acc);
        acc = fmaf(x.y, y.y, acc);
        acc = fmaf(x.z, y.z, acc);
        return fmaf(x.w, y.w, acc);
    }

    // Same accumulator layout as the mma fragments: acc[i][j] = {(r, c), (r, c+1), (r+8, c), (r+8, c+1)}.
    __device__ static void compute_fp32(const float* As, const float* Bs, int wm0, int wn0, float (&acc)[MI][NI][4]) {
        const int lane = threadIdx.x & 31;
        const int g = lane >> 2;
        const int t = lane & 3;
#pragma unroll 2
        for (int kk = 0; kk < BK; kk += 4) {
            float4 a[MI][2];
#pragma unroll
            for (int i = 0; i < MI; ++i) {
                const float* r = As + (wm0 + i * 16 + g) * LDS + kk;
                a[i][0] = *reinterpret_cast<const float4*>(r);
                a[i][1] = *reinterpret_cast<const float4*>(r + 8 * LDS);
            }
#pragma unroll
            for (int j = 0; j < NI; ++j) {
                const float* r = Bs + (wn0 + j * 8 + 2 * t) * LDS + kk;
                float4 b0 = *reinterpret_cast<const float4*>(r);
                float4 b1 = *reinterpret_cast<const float4*>(r + LDS);
#pragma unroll
                for (int i = 0; i < MI; ++i) {
                    acc[i][j][0] = dot4(acc[i][j][0], a[i][0], b0);
                    acc[i][j][1] = dot4(acc[i][j][1], a[i][0], b1);
                    acc[i][j][2] = dot4(acc[i][j][2], a[i][1], b0);
                    acc[i][j][3] = dot4(acc[i][j][3], a[i][1], b1);
                }
            }
        }
    }

    __device__ static float finish(float v, float b, int flags) {
        v += b;
        if (flags & FLAG_RELU) v = fmaxf(v, 0.f);
        if (flags & FLAG_ROUND_TF32) v = round_tf32(v);
        return v;
    }

    __device__ static void store(float* Y, int ldy, const float* bias, int M, int N, int flags, int row, int col,
                                 float v0, float v1) {
        if (row >= M || col >= N) return;
        v0 = finish(v0, bias[col], flags);
        if (col + 1 < N) {
            v1 = finish(v1, bias[col + 1], flags);
            *reinterpret_cast<float2*>(Y + static_cast<size_t>(row) * ldy + col) = make_float2(v0, v1);
        } else {
            Y[static_cast<size_t>(row) * ldy + col] = v0;
        }
    }

    __device__ static void run(const float* __restrict__ X, int lda, const float* __restrict__ W, int ldw,
                               const float* __restrict__ bias, float* __restrict__ Y, int ldy, int M, int N, int K,
                               int flags) {
        extern __shared__ float4 smem4[];
        float* smem = reinterpret_cast<float*>(smem4);
        const int m0 = blockIdx.y * BM;
        const int n0 = blockIdx.x * BN;
        const int warp = threadIdx.x >> 5;
        const int wm0 = (warp / WARPS_N) * WM;
        const int wn0 = (warp % WARPS_N) * WN;
        const int ktiles = (K + BK - 1) / BK;

        float acc[MI][NI][4];
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
            for (int j = 0; j < NI; ++j)
#pragma unroll
                for (int e = 0; e < 4; ++e) acc[i][j][e] = 0.f;

#pragma unroll
        for (int s = 0; s < STAGES - 1; ++s) {
            if (s < ktiles) {
                float* st = smem + s * STAGE_FLOATS;
                load_rows(st, X, lda, m0, M, s * BK, K, BM);
                load_rows(st + BM * LDS, W, ldw, n0, N, s * BK, K, BN);
            }
            cp_async_commit();
        }
        for (int kt = 0; kt < ktiles; ++kt) {
            cp_async_wait<STAGES - 2>();
            __syncthreads();
            int next = kt + STAGES - 1;
            if (next < ktiles) {
                float* st = smem + (next % STAGES) * STAGE_FLOATS;
                load_rows(st, X, lda, m0, M, next * BK, K, BM);
                load_rows(st + BM * LDS, W, ldw, n0, N, next * BK, K, BN);
            }
            cp_async_commit();
            const float* st = smem + (kt % STAGES) * STAGE_FLOATS;
            if constexpr (MODE != Mode::FP32) {
                compute_tf32(st, st + BM * LDS, wm0, wn0, acc);
            } else {
                compute_fp32(st, st + BM * LDS, wm0, wn0, acc);
            }
        }
        cp_async_wait<0>();

        const int lane = threadIdx.x & 31;
        const int g = lane >> 2;
        const int t = lane & 3;
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
            for (int j = 0; j < NI; ++j) {
                int row = m0 + wm0 + i * 16 + g;
                int col = n0 + wn0 + j * 8 + 2 * t;
                store(Y, ldy, bias, M, N, flags, row, col, acc[i][j][0], acc[i][j][1]);
                store(Y, ldy, bias, M, N, flags, row + 8, col, acc[i][j][2], acc[i][j][3]);
            }
    }
};

}  // namespace

#define GEMM_PARAMS                                                                                             \
    const float *__restrict__ X, int lda, const float *__restrict__ W, int ldw, const float *__restrict__ bias, \
        float *__restrict__ Y, int ldy, int M, int N, int K, int flags
#define GEMM_ARGS X, lda, W, ldw, bias, Y, ldy, M, N, K, flags

// Grid: (ceil(N / BN), ceil(M / BM)); block: 32 x WARPS_M x WARPS_N threads; dynamic shared memory:
// STAGES x (BM + BN) x (32 + 4) x 4 bytes (see the Java DenseKernels.Tile). flags: FLAG_RELU | FLAG_ROUND_TF32.
#define GEMM_ENTRY(name, bounds, BM, BN, WM, WN, ST, MODE) \
    extern "C" __global__ void bounds name(GEMM_PARAMS) { Gemm<BM, BN, 32, WM, WN, ST, MODE>::run(GEMM_ARGS); }

GEMM_ENTRY(gemm_fp32_128x128, __launch_bounds__(256, 1), 128, 128, 2, 4, 2, Mode::FP32)
GEMM_ENTRY(gemm_fp32_64x64, __launch_bounds__(128), 64, 64, 2, 2, 3, Mode::FP32)
GEMM_ENTRY(gemm_tf32_128x128, __launch_bounds__(256, 2), 128, 128, 2, 4, 3, Mode::TF32)
GEMM_ENTRY(gemm_tf32_64x64, __launch_bounds__(128), 64, 64, 2, 2, 3, Mode::TF32)
GEMM_ENTRY(gemm_tf32r_128x128, __launch_bounds__(256, 2), 128, 128, 2, 4, 3, Mode::TF32_ROUNDED)
GEMM_ENTRY(gemm_tf32r_64x64, __launch_bounds__(128), 64, 64, 2, 2, 3, Mode::TF32_ROUNDED)

// Last layer of width 1 with the sigmoid fused: z = dot(X[r, 0..K), w) + bias[0], out[r] = 1 / (1 + exp(-z)),
// and logits[r] = z when logits is not null, for r < M. One warp per row; K % 4 == 0, ldx % 4 == 0.
extern "C" __global__ void linear_sigmoid(const float* __restrict__ X, int ldx, const float* __restrict__ w,
                                          const float* __restrict__ bias, float* __restrict__ out,
                                          float* __restrict__ logits, int M, int K) {
    const int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int lane = threadIdx.x & 31;
    if (row >= M) return;
    const float4* x4 = reinterpret_cast<const float4*>(X + static_cast<size_t>(row) * ldx);
    const float4* w4 = reinterpret_cast<const float4*>(w);
    float acc = 0.f;
    for (int c = lane; c < K / 4; c += 32) {
        float4 a = x4[c];
        float4 b = w4[c];
        acc = fmaf(a.x, b.x, acc);
        acc = fmaf(a.y, b.y, acc);
        acc = fmaf(a.z, b.z, acc);
        acc = fmaf(a.w, b.w, acc);
    }
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
    if (lane == 0) {
        float z = acc + bias[0];
        out[row] = 1.f / (1.f + expf(-z));
        if (logits != nullptr) logits[row] = z;
    }
}

// dst[r, c] = c < srcCols ? src[r * srcCols + c] : 0 for r < rows, c < dstCols (dense rows, padded copy),
// rounded to tf32 when round_tf32 != 0.
extern "C" __global__ void pad_columns(const float* __restrict__ src, int srcCols, float* __restrict__ dst,
                                       int dstCols, int rows, int round_tf32_out) {
    const long long total = static_cast<long long>(rows) * dstCols;
    for (long long e = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; e < total;
         e += static_cast<long long>(gridDim.x) * blockDim.x) {
        long long r = e / dstCols;
        int c = static_cast<int>(e - r * dstCols);
        float v = c < srcCols ? src[r * srcCols + c] : 0.f;
        dst[e] = round_tf32_out ? round_tf32(v) : v;
    }
}
