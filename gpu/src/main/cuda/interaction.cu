// DLRM dot interaction. For each sample s the n = T + 1 vectors v_0 = bottom[s], v_1..v_T = emb[s, 0..T)
// (each D floats) give out[s] = [v_0 (D floats), <v_i, v_j> for j = 1..n-1, i = 0..j-1 (n(n-1)/2 floats),
// zeros up to ldo]. Products and sums in fp32.
// Contract: D % 4 == 0, ldb % 4 == 0, ldo % 4 == 0, ldo >= D + n(n-1)/2, 16-byte aligned pointers.
// Launch: one warp per sample, blockDim.x = 32 * warps, dynamic shared memory = warps * n * (D + 4) * 4 bytes.

extern "C" __global__ void dot_interaction(const float* __restrict__ bottom, int ldb, const float* __restrict__ emb,
                                           float* __restrict__ out, int ldo, int B, int T, int D) {
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

    const float4* b4 = reinterpret_cast<const float4*>(bottom + static_cast<size_t>(sample) * ldb);
    for (int c = lane; c < q; c += 32) {
        float4 x = b4[c];
        *reinterpret_cast<float4*>(v + c * 4) = x;
        reinterpret_cast<float4*>(o)[c] = x;
    }
    const float4* e4 = reinterpret_cast<const float4*>(emb + static_cast<size_t>(sample) * T * D);
#pragma unroll 4
    for (int c = lane; c < T * q; c += 32) {
        int t = c / q;
        int k = c - t * q;
        *reinterpret_cast<float4*>(v + (t + 1) * lds + k * 4) = __ldcs(e4 + c);
    }
    __syncwarp();

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
        o[D + p] = (acc.x + acc.y) + (acc.z + acc.w);
    }
    for (int c = D + pairs + lane; c < ldo; c += 32) o[c] = 0.f;
}
