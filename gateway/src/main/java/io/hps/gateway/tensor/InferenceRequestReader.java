package io.hps.gateway.tensor;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads KServe v2 inference request bodies: JSON alone, or a JSON header followed by binary tensor
 * data (Triton's binary data extension, {@code Inference-Header-Content-Length}).
 *
 * <p>JSON {@code data} arrays, flat or nested, are streamed element by element into pooled direct
 * buffers in the tensor's datatype, little-endian; no boxed lists. Binary inputs become retained
 * slices of the body, so their bytes are never copied. Every problem is a
 * {@link RejectedRequestException} (400) naming the input; the body itself stays the caller's.
 * Thread-safe.
 */
public final class InferenceRequestReader {
    private final JsonFactory json;
    private final int maxJsonDepth;

    /** @param maxJsonDepth deepest nesting of JSON arrays and objects accepted, at least 2 */
    public InferenceRequestReader(int maxJsonDepth) {
        if (maxJsonDepth < 2) {
            throw new IllegalArgumentException("maxJsonDepth must be >= 2: maxJsonDepth=" + maxJsonDepth);
        }
        this.maxJsonDepth = maxJsonDepth;
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxJsonDepth).build())
                .build();
    }

    /**
     * Reads {@code body} from its reader index without moving it.
     *
     * @param headerLength bytes of JSON at the start of the body, or -1 when all of it is JSON
     */
    public InferenceRequest read(ByteBuf body, int headerLength) {
        if (headerLength > body.readableBytes()) {
            throw RejectedRequestException.badRequest("Inference-Header-Content-Length " + headerLength
                    + " exceeds the body length " + body.readableBytes());
        }
        ByteBuf header = headerLength < 0 ? body : body.slice(body.readerIndex(), headerLength);
        Draft draft = new Draft();
        try {
            readHeader(header, draft);
            attachBinary(body, headerLength, draft);
            return draft.request();
        } catch (StreamConstraintsException e) {
            draft.release();
            throw RejectedRequestException.badRequest("JSON nested deeper than the limit: maxDepth=" + maxJsonDepth);
        } catch (JacksonException e) {
            draft.release();
            throw RejectedRequestException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            draft.release();
            throw e;
        }
    }

    private void readHeader(ByteBuf header, Draft draft) {
        try (JsonParser p = parser(header)) {
            require(p.nextToken() == JsonToken.START_OBJECT, "request body must be a JSON object");
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "id" -> draft.id = p.getValueAsString("");
                    case "parameters" -> readRequestParameters(p, draft);
                    case "inputs" -> readInputs(p, header, draft);
                    case "outputs" -> readOutputs(p, draft);
                    default -> p.skipChildren();
                }
            }
            require(p.nextToken() == null, "request body has content after its JSON object");
        }
    }

    private JsonParser parser(ByteBuf bytes) {
        return json.createParser(ObjectReadContext.empty(), (InputStream) new ByteBufInputStream(bytes.duplicate()));
    }

    private static void readRequestParameters(JsonParser p, Draft draft) {
        require(p.currentToken() == JsonToken.START_OBJECT, "parameters must be an object");
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "timeout" -> {
                    require(value == JsonToken.VALUE_NUMBER_INT && p.getLongValue() >= 0,
                            "parameters.timeout must be a non-negative integer (microseconds)");
                    draft.timeoutMicros = Optional.of(p.getLongValue());
                }
                case "binary_data_output" -> draft.binaryOutput = booleanValue(p, "parameters.binary_data_output");
                default -> p.skipChildren();
            }
        }
    }

    private void readInputs(JsonParser p, ByteBuf header, Draft draft) {
        require(p.currentToken() == JsonToken.START_ARRAY, "inputs must be an array");
        while (p.nextToken() != JsonToken.END_ARRAY) {
            require(p.currentToken() == JsonToken.START_OBJECT, "inputs[" + draft.inputs.size()
                    + "] must be an object");
            InputDraft input = new InputDraft();
            draft.inputs.add(input);
            readInput(p, input, draft.inputs.size() - 1);
            finishInput(input, header, draft);
        }
    }

    private void readInput(JsonParser p, InputDraft input, int index) {
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> input.name = stringValue(p, "inputs[" + index + "].name");
                case "datatype" -> input.datatypeName = stringValue(p, "inputs[" + index + "].datatype");
                case "shape" -> input.shape = readShape(p, index);
                case "parameters" -> readInputParameters(p, input, index);
                case "data" -> readData(p, input, value);
                default -> p.skipChildren();
            }
        }
        require(input.name != null, "inputs[" + index + "] has no name");
    }

    private static long[] readShape(JsonParser p, int index) {
        require(p.currentToken() == JsonToken.START_ARRAY, "inputs[" + index + "].shape must be an array");
        List<Long> dims = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            require(p.currentToken() == JsonToken.VALUE_NUMBER_INT, "inputs[" + index
                    + "].shape must hold integers");
            dims.add(p.getLongValue());
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static void readInputParameters(JsonParser p, InputDraft input, int index) {
        require(p.currentToken() == JsonToken.START_OBJECT, "inputs[" + index + "].parameters must be an object");
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("binary_data_size")) {
                require(value == JsonToken.VALUE_NUMBER_INT && p.getLongValue() >= 0
                        && p.getLongValue() <= Integer.MAX_VALUE,
                        "inputs[" + index + "].parameters.binary_data_size must be an integer in [0, 2^31)");
                input.binarySize = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
    }

    private void readData(JsonParser p, InputDraft input, JsonToken value) {
        require(value == JsonToken.START_ARRAY, "data of input " + nameOf(input) + " must be an array");
        require(input.data == null && input.deferredOffset < 0, "data of input " + nameOf(input) + " given twice");
        Datatype datatype = input.datatypeName == null ? null : Datatype.ofName(input.datatypeName);
        if (datatype == null || input.name == null) {
            input.deferredOffset = p.currentTokenLocation().getByteOffset();
            p.skipChildren();
            return;
        }
        input.data = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        readElements(p, datatype, input.data, input.name);
    }

    private static void readElements(JsonParser p, Datatype datatype, ByteBuf out, String input) {
        JsonToken token;
        while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
            if (token == JsonToken.START_ARRAY) {
                readElements(p, datatype, out, input);
            } else {
                writeElement(p, token, datatype, out, input);
            }
        }
    }

    private static void writeElement(JsonParser p, JsonToken token, Datatype datatype, ByteBuf out, String input) {
        boolean integer = token == JsonToken.VALUE_NUMBER_INT;
        boolean number = integer || token == JsonToken.VALUE_NUMBER_FLOAT;
        long element = out.writerIndex() / datatype.bytes();
        switch (datatype) {
            case FP32 -> {
                require(number, "input " + input + ": data element " + element
                        + " is not a number, as datatype FP32 needs: " + token);
                out.writeFloatLE(p.getFloatValue());
            }
            case INT32 -> {
                require(integer, "input " + input + ": data element " + element
                        + " is not an integer, as datatype INT32 needs: " + token);
                out.writeIntLE(p.getIntValue());
            }
            case INT64 -> {
                require(integer, "input " + input + ": data element " + element
                        + " is not an integer, as datatype INT64 needs: " + token);
                out.writeLongLE(p.getLongValue());
            }
        }
    }

    private void finishInput(InputDraft input, ByteBuf header, Draft draft) {
        require(draft.names.add(input.name), "input " + input.name + " given twice");
        require(input.datatypeName != null, "input " + input.name + " has no datatype");
        input.datatype = Datatype.ofName(input.datatypeName);
        require(input.datatype != null, "input " + input.name + ": datatype " + input.datatypeName
                + " is not supported (FP32, INT32, INT64)");
        require(input.shape != null, "input " + input.name + " has no shape");
        boolean hasData = input.data != null || input.deferredOffset >= 0;
        require(hasData != input.binarySize >= 0, "input " + input.name
                + " needs exactly one of data and parameters.binary_data_size");
        if (input.deferredOffset >= 0) {
            readDeferred(input, header);
        }
        if (input.data != null) {
            Shapes.check(input.name, input.shape, input.datatype, input.data.readableBytes());
        }
    }

    private void readDeferred(InputDraft input, ByteBuf header) {
        int offset = Math.toIntExact(input.deferredOffset);
        ByteBuf rest = header.slice(header.readerIndex() + offset, header.readableBytes() - offset);
        input.data = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        try (JsonParser p = parser(rest)) {
            p.nextToken();
            readElements(p, input.datatype, input.data, input.name);
        }
    }

    private static void readOutputs(JsonParser p, Draft draft) {
        require(p.currentToken() == JsonToken.START_ARRAY, "outputs must be an array");
        while (p.nextToken() != JsonToken.END_ARRAY) {
            require(p.currentToken() == JsonToken.START_OBJECT, "outputs must hold objects");
            String name = null;
            Boolean binary = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("name")) {
                    name = stringValue(p, "outputs[].name");
                } else if (field.equals("parameters")) {
                    binary = readOutputParameters(p);
                } else {
                    p.skipChildren();
                }
            }
            require(name != null, "outputs[] entry has no name");
            draft.outputs.put(name, binary);
        }
    }

    private static Boolean readOutputParameters(JsonParser p) {
        require(p.currentToken() == JsonToken.START_OBJECT, "outputs[].parameters must be an object");
        Boolean binary = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("binary_data")) {
                binary = booleanValue(p, "outputs[].parameters.binary_data");
            } else {
                p.skipChildren();
            }
        }
        return binary;
    }

    private static void attachBinary(ByteBuf body, int headerLength, Draft draft) {
        boolean anyBinary = draft.inputs.stream().anyMatch(i -> i.binarySize >= 0);
        if (headerLength < 0) {
            require(!anyBinary, "parameters.binary_data_size needs the Inference-Header-Content-Length header");
            return;
        }
        long offset = headerLength;
        for (InputDraft input : draft.inputs) {
            if (input.binarySize >= 0) {
                require(offset + input.binarySize <= body.readableBytes(), "binary data of input " + input.name
                        + " runs past the end of the body: binary_data_size=" + input.binarySize + " available="
                        + (body.readableBytes() - offset));
                Shapes.check(input.name, input.shape, input.datatype, input.binarySize);
                input.data = body.retainedSlice(body.readerIndex() + (int) offset, (int) input.binarySize);
                offset += input.binarySize;
            }
        }
        long extra = body.readableBytes() - offset;
        require(extra == 0, "body carries " + extra
                + " bytes beyond the header and the binary inputs");
    }

    private static String stringValue(JsonParser p, String field) {
        require(p.currentToken() == JsonToken.VALUE_STRING, field + " must be a string");
        return p.getString();
    }

    private static boolean booleanValue(JsonParser p, String field) {
        JsonToken token = p.currentToken();
        require(token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE, field + " must be a boolean");
        return token == JsonToken.VALUE_TRUE;
    }

    private static String nameOf(InputDraft input) {
        return input.name == null ? "(unnamed)" : input.name;
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw RejectedRequestException.badRequest(message);
        }
    }

    /** An input being read; owns {@code data} until the request is built. */
    private static final class InputDraft {
        String name;
        String datatypeName;
        Datatype datatype;
        long[] shape;
        ByteBuf data;
        long deferredOffset = -1;
        long binarySize = -1;
    }

    /** A request being read; {@link #release} frees every buffer taken so far. */
    private static final class Draft {
        final List<InputDraft> inputs = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        final Map<String, Boolean> outputs = new HashMap<>();
        String id = "";
        boolean binaryOutput;
        Optional<Long> timeoutMicros = Optional.empty();

        InferenceRequest request() {
            List<InputTensor> tensors = inputs.stream()
                    .map(i -> new InputTensor(i.name, i.datatype, i.shape, i.data)).toList();
            Map<String, Boolean> requested = new HashMap<>();
            outputs.forEach((name, binary) -> requested.put(name, binary == null ? binaryOutput : binary));
            return new InferenceRequest(id, tensors, requested, binaryOutput, timeoutMicros);
        }

        void release() {
            for (InputDraft input : inputs) {
                if (input.data != null) {
                    input.data.release();
                    input.data = null;
                }
            }
        }
    }
}
