// DLRM dot interaction. For each sample s the n = T + 1 vectors v_0 = bottom[s], v_1..v_T = emb[s, 0..T)
// (each D floats) give out[s] = [v_0 (D floats), <v_i, v_j> for j = 1..n-1, i = 0..j-1 (n(n-1)/2 floats),
// zeros up to ldo]. Outputs are rounded to tf32 (cvt.rna) when round_out != 0, for a consumer GEMM that takes
// tf32 operands as stored.
// Contract: D % 4 == 0, ldb % 4 == 0, ldo % 4 == 0, ldo >= D + n(n-1)/2, 16-byte aligned pointers.
// Launch: one warp per sample, blockDim.x = 32 * warps, dynamic shared memory = warps * rows * (D + 4) * 4 bytes
// with rows = n (dot_interaction) or 32 (dot_interaction_tf32).
#include <cstdint>

namespace {

__device__ __forceinline__ uint32_t to_tf32(float x) {
    uint32_t u;
    asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(u) : "f"(x));
    return u;
}

__device__ __forceinline__ float maybe_round(float x, int round_out) {
    return round_out ? __uint_as_float(to_tf32(x)) : x;
}

__device__ __forceinline__ float4 maybe_round(float4 x, int round_out) {
    return make_float4(maybe_round(x.x, round_out), maybe_round(x.y, round_out), maybe_round(x.z, round_out),
                       maybe_round(x.w, round_out));
}

__device__ __forceinline__ void cp_async16(void* smem, const void* gmem) {
    unsigned s = static_cast<unsigned>(__cvta_generic_to_shared(smem));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(s), "l"(gmem));
}

__device__ __forceinline__ void mma_tf32(float* c, const uint32_t* a, const uint32_t* b) {
    asm volatile(
        "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// Stages a sample's vectors into v (row stride lds floats) and copies the bottom vector to the output row o.
// The embeddings travel by cp.async, all of a lane's loads in flight at once, straight into shared memory.
__device__ __forceinline__ void stage_sample(const float* __restrict__ bottom, const float* __restrict__ emb,
                                             float* v, float* o, int lds, int T, int D, int round_out) {
    const int lane = threadIdx.x & 31;
    const int q = D / 4;
    const float4* b4 = reinterpret_cast<const float4*>(bottom);
    for (int c = lane; c < q; c += 32) {
        float4 x = b4[c];
        *reinterpret_cast<float4*>(v + c * 4) = x;
        reinterpret_cast<float4*>(o)[c] = maybe_round(x, round_out);
    }
    const float4* e4 = reinterpret_cast<const float4*>(emb);
    for (int c = lane; c < T * q; c += 32) {
        int t = c / q;
        int k = c - t * q;
        cp_async16(v + (t + 1) * lds + k * 4, e4 + c);
    }
    asm volatile("cp.async.wait_all;\n" ::);
    __syncwarp();
}

}  // namespace

// FP32 products and sums; any n.
extern "C" __global__ void dot_interaction(const float* __restrict__ bottom, int ldb, const float* __restrict__ emb,
                                           float* __restrict__ out, int ldo, int B, int T, int D, int round_out) {
    extern __shared__ float4 shared4[];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int n = T + 1;
    const int lds = D + 4;
    const int q = D / 4;
    const int sample = blockIdx.x * (blockDim.x >> 5) + warp;
    if (sample >= B) return;
    float* v = reinterpret_cast<float*>(shared4) + warp * n * lds;
    float* o = out + static_cast<size_t>(sample) * ldo;
    stage_sample(bottom + static_cast<size_t>(sample) * ldb, emb + static_cast<size_t>(sample) * T * D, v, o, lds, T,
                 D, round_out);

    const int pairs = n * (n - 1) / 2;
    for (int p = lane; p < pairs; p += 32) {
        int j = static_cast<int>((1.f + sqrtf(1.f + 8.f * p)) * 0.5f);
        while (j * (j - 1) / 2 > p) --j;
        while ((j + 1) * j / 2 <= p) ++j;
        int i = p - j * (j - 1) / 2;
        const float4* a = reinterpret_cast<const float4*>(v + i * lds);
        const float4* b = reinterpret_cast<const float4*>(v + j * lds);
        float4 acc = make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll 8
        for (int k = 0; k < q; ++k) {
            float4 x = a[k];
            float4 y = b[k];
            acc.x = fmaf(x.x, y.x, acc.x);
            acc.y = fmaf(x.y, y.y, acc.y);
            acc.z = fmaf(x.z, y.z, acc.z);
            acc.w = fmaf(x.w, y.w, acc.w);
        }
        o[D + p] = maybe_round((acc.x + acc.y) + (acc.z + acc.w), round_out);
    }
    for (int c = D + pairs + lane; c < ldo; c += 32) o[c] = 0.f;
}

// Tensor cores: the Gram matrix V V^T of the (up to 32) vectors by mma.sync m16n8k8 with tf32 operands (cvt.rna)
// and fp32 accumulation; only the six 16x8 tiles that hold the strictly-lower triangle are computed.
// Contract in addition to the above: n <= 32, D % 8 == 0. Rows n..31 of the staging area are never written:
// they only reach Gram entries that are discarded.
extern "C" __global__ void dot_interaction_tf32(const float* __restrict__ bottom, int ldb,
                                                const float* __restrict__ emb, float* __restrict__ out, int ldo,
                                                int B, int T, int D, int round_out) {
    extern __shared__ float4 shared4[];
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int n = T + 1;
    const int lds = D + 4;
    const int sample = blockIdx.x * (blockDim.x >> 5) + warp;
    if (sample >= B) return;
    float* v = reinterpret_cast<float*>(shared4) + warp * 32 * lds;
    float* o = out + static_cast<size_t>(sample) * ldo;
    stage_sample(bottom + static_cast<size_t>(sample) * ldb, emb + static_cast<size_t>(sample) * T * D, v, o, lds, T,
                 D, round_out);

    const int g = lane >> 2;
    const int t = lane & 3;
    constexpr int TILES = 6;
    constexpr int TILE_M[TILES] = {0, 0, 1, 1, 1, 1};
    constexpr int TILE_N[TILES] = {0, 1, 0, 1, 2, 3};
    float acc[TILES][4];
#pragma unroll
    for (int x = 0; x < TILES; ++x)
#pragma unroll
        for (int e = 0; e < 4; ++e) acc[x][e] = 0.f;

#pragma unroll 4
    for (int k0 = 0; k0 < D; k0 += 8) {
        uint32_t a[2][4];
        uint32_t b[4][2];
#pragma unroll
        for (int mt = 0; mt < 2; ++mt) {
            const float* r = v + (mt * 16 + g) * lds + k0 + t;
            a[mt][0] = to_tf32(r[0]);
            a[mt][1] = to_tf32(r[8 * lds]);
            a[mt][2] = to_tf32(r[4]);
            a[mt][3] = to_tf32(r[8 * lds + 4]);
        }
#pragma unroll
        for (int nt = 0; nt < 4; ++nt) {
            const float* r = v + (nt * 8 + g) * lds + k0 + t;
            b[nt][0] = to_tf32(r[0]);
            b[nt][1] = to_tf32(r[4]);
        }
#pragma unroll
        for (int x = 0; x < TILES; ++x) mma_tf32(acc[x], a[TILE_M[x]], b[TILE_N[x]]);
    }
    __syncwarp();

    float* dots = v;  // the staging area is free again: gather the triangle there, then store it coalesced
#pragma unroll
    for (int x = 0; x < TILES; ++x)
#pragma unroll
        for (int e = 0; e < 4; ++e) {
            int j = TILE_M[x] * 16 + g + (e >= 2 ? 8 : 0);
            int i = TILE_N[x] * 8 + 2 * t + (e & 1);
            if (i < j && j < n) dots[j * (j - 1) / 2 + i] = acc[x][e];
        }
    __syncwarp();
    const int pairs = n * (n - 1) / 2;
    for (int p = lane; p < pairs; p += 32) o[D + p] = maybe_round(dots[p], round_out);
    for (int c = D + pairs + lane; c < ldo; c += 32) o[c] = 0.f;
}
