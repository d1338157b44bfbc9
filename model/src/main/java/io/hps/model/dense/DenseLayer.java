package io.hps.model.dense;

/**
 * One fully connected layer, {@code y = x W^T + b}, as float32.
 *
 * @param inputs  input width
 * @param outputs output width
 * @param weight  {@code outputs x inputs}, row-major (PyTorch's {@code nn.Linear.weight} layout)
 * @param bias    {@code outputs}
 */
public record DenseLayer(int inputs, int outputs, float[] weight, float[] bias) {
    public DenseLayer {
        if (inputs < 1 || outputs < 1) {
            throw new IllegalArgumentException("layer widths must be >= 1: inputs=" + inputs + " outputs=" + outputs);
        }
        if (weight.length != (long) inputs * outputs) {
            throw new IllegalArgumentException("weight length must be outputs x inputs: length=" + weight.length
                    + " outputs=" + outputs + " inputs=" + inputs);
        }
        if (bias.length != outputs) {
            throw new IllegalArgumentException("bias length must be outputs: length=" + bias.length + " outputs=" + outputs);
        }
    }

    /** Weight of output {@code o} for input {@code i}. */
    public float w(int o, int i) {
        return weight[o * inputs + i];
    }
}
