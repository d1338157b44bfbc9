package io.hps.gpu.dense;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.model.dense.DenseLayer;
import jcuda.driver.CUdeviceptr;

/**
 * One dense layer resident on the device: the weight as {@code outputs x paddedInputs} floats, row-major, with
 * zero columns from {@code inputs} to {@code paddedInputs} (a multiple of 4, as the GEMM requires), and the bias.
 * Owner thread only.
 */
final class DeviceLayer implements AutoCloseable {

    private final int inputs;
    private final int paddedInputs;
    private final int outputs;
    private final DeviceBuffer weight;
    private final DeviceBuffer bias;

    private DeviceLayer(int inputs, int outputs, DeviceBuffer weight, DeviceBuffer bias) {
        this.inputs = inputs;
        this.paddedInputs = DenseKernels.roundUp4(inputs);
        this.outputs = outputs;
        this.weight = weight;
        this.bias = bias;
    }

    /** Uploads {@code layer}, its weights rounded to TF32 when {@code roundTf32} (for {@link GemmMode#TF32_ROUNDED}). */
    static DeviceLayer upload(DeviceContext context, DenseLayer layer, boolean roundTf32) {
        int padded = DenseKernels.roundUp4(layer.inputs());
        float[] w = new float[layer.outputs() * padded];
        for (int o = 0; o < layer.outputs(); o++) {
            System.arraycopy(layer.weight(), o * layer.inputs(), w, o * padded, layer.inputs());
        }
        DeviceBuffer weight = context.allocate((long) w.length * Float.BYTES);
        weight.write(roundTf32 ? GemmMode.roundTf32(w) : w, 0);
        DeviceBuffer bias = context.allocate((long) layer.outputs() * Float.BYTES);
        bias.write(layer.bias(), 0);
        return new DeviceLayer(layer.inputs(), layer.outputs(), weight, bias);
    }

    int inputs() {
        return inputs;
    }

    int paddedInputs() {
        return paddedInputs;
    }

    int outputs() {
        return outputs;
    }

    CUdeviceptr weight() {
        return weight.pointer();
    }

    CUdeviceptr bias() {
        return bias.pointer();
    }

    @Override
    public void close() {
        weight.close();
        bias.close();
    }
}
