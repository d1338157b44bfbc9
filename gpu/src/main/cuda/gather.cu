// Embedding gather: out[r, 0..dim) = table[rows[r], 0..dim) for r < count.
// Contract: dim % 4 == 0, table and out 16-byte aligned, 0 <= rows[r] < table row count (not checked here).
// Each thread moves 16-byte vectors; grid-stride loop, any grid size.
extern "C" __global__ void gather_rows(const float* __restrict__ table, const long long* __restrict__ rows,
                                       float* __restrict__ out, long long count, int dim) {
    const int q = dim / 4;
    const long long total = count * q;
    const float4* t4 = reinterpret_cast<const float4*>(table);
    float4* o4 = reinterpret_cast<float4*>(out);
    for (long long e = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; e < total;
         e += static_cast<long long>(gridDim.x) * blockDim.x) {
        long long r = e / q;
        int c = static_cast<int>(e - r * q);
        o4[e] = __ldg(t4 + rows[r] * q + c);
    }
}
