package io.hps.gpu.dense;

/** Arithmetic of the dense layers on the GPU. */
public enum GemmPrecision {
    /**
     * IEEE float32 products and sums on the FMA units: matches a float64 reference to a relative norm error
     * of about 1e-6 on the Criteo shape.
     */
    FP32,
    /**
     * Tensor cores for the hidden layers and the interaction: operands rounded to TF32 (10-bit mantissa, round to
     * nearest) and float32 accumulation; the last layer and the sigmoid stay FP32. Relative norm error of the logits
     * about 1e-3 against float64 on the Criteo shape; more than twice the throughput of FP32.
     */
    TF32
}
