package io.hps.gpu.dense;

/**
 * Arithmetic of one GEMM kernel entry ({@code dense_gemm.cu}): FFMA, tensor cores converting operands as they
 * are read, or tensor cores taking operands already rounded to TF32 in memory.
 */
enum GemmMode {
    FP32("fp32"), TF32("tf32"), TF32_ROUNDED("tf32r");

    final String suffix;

    GemmMode(String suffix) {
        this.suffix = suffix;
    }

    boolean tensorCores() {
        return this != FP32;
    }

    /** Rounds {@code x} to TF32 as {@code cvt.rna.tf32.f32} does: nearest, ties away from zero. */
    static float roundTf32(float x) {
        if (!Float.isFinite(x)) {
            return x;
        }
        return Float.intBitsToFloat((Float.floatToRawIntBits(x) + 0x1000) & 0xFFFFE000);
    }

    static float[] roundTf32(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = roundTf32(values[i]);
        }
        return out;
    }
}
