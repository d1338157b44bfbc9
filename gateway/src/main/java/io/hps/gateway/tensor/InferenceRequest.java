package io.hps.gateway.tensor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code POST /v2/models/{m}/infer} request.
 *
 * @param id                 the client's {@code id}, echoed in the response; may be empty
 * @param inputs             in request order, names distinct
 * @param outputs            requested outputs by name, value: whether it should be binary; empty
 *                           means every output
 * @param binaryOutput       {@code parameters.binary_data_output}: the default for outputs not named
 * @param timeoutMicros      {@code parameters.timeout}, microseconds, when given
 */
public record InferenceRequest(String id, List<InputTensor> inputs, Map<String, Boolean> outputs,
                               boolean binaryOutput, Optional<Long> timeoutMicros) implements AutoCloseable {
    public InferenceRequest {
        inputs = List.copyOf(inputs);
        outputs = Map.copyOf(outputs);
    }

    /** The input named {@code name}, if present. */
    public Optional<InputTensor> input(String name) {
        return inputs.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Whether output {@code name} goes in the binary section of the response. */
    public boolean binary(String name) {
        return outputs.getOrDefault(name, binaryOutput);
    }

    /** Releases every input's data. */
    @Override
    public void close() {
        for (InputTensor input : inputs) {
            if (input.data().refCnt() > 0) {
                input.data().release();
            }
        }
    }
}
