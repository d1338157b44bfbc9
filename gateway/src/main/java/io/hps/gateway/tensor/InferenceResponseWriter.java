package io.hps.gateway.tensor;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes KServe v2 inference responses. Outputs asked for as binary are appended after the JSON
 * header as they are, without copying (a {@link CompositeByteBuf} of the header and the outputs'
 * buffers); the others are written as flat JSON {@code data} arrays. Thread-safe.
 */
public final class InferenceResponseWriter {
    private final JsonFactory json = JsonFactory.builder().build();
    private final ByteBufAllocator allocator;

    public InferenceResponseWriter(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * Encodes the response; takes over every output's {@code data} (released or moved into the
     * returned body, also when this method throws).
     */
    public ResponseBody write(String model, String version, InferenceRequest request, List<OutputTensor> outputs) {
        List<ByteBuf> binary = new ArrayList<>();
        ByteBuf header = allocator.buffer(256);
        try {
            writeHeader(header, model, version, request, outputs, binary);
            if (binary.isEmpty()) {
                ByteBuf done = header;
                header = null;
                return new ResponseBody(done, -1);
            }
            int headerLength = header.readableBytes();
            CompositeByteBuf body = allocator.compositeBuffer(1 + binary.size()).addComponent(true, header);
            header = null;
            for (ByteBuf part : binary) {
                body.addComponent(true, part);
            }
            binary.clear();
            return new ResponseBody(body, headerLength);
        } finally {
            if (header != null) {
                header.release();
            }
            binary.forEach(ByteBuf::release);
            outputs.forEach(output -> output.data().release());
        }
    }

    private void writeHeader(ByteBuf out, String model, String version, InferenceRequest request,
                             List<OutputTensor> outputs, List<ByteBuf> binary) {
        OutputStream stream = new ByteBufOutputStream(out);
        try (JsonGenerator g = json.createGenerator(ObjectWriteContext.empty(), stream)) {
            g.writeStartObject();
            g.writeStringProperty("model_name", model);
            g.writeStringProperty("model_version", version);
            if (!request.id().isEmpty()) {
                g.writeStringProperty("id", request.id());
            }
            g.writeName("outputs");
            g.writeStartArray();
            for (OutputTensor output : outputs) {
                writeOutput(g, output, request.binary(output.name()), binary);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void writeOutput(JsonGenerator g, OutputTensor output, boolean asBinary, List<ByteBuf> binary) {
        g.writeStartObject();
        g.writeStringProperty("name", output.name());
        g.writeStringProperty("datatype", output.datatype().name());
        g.writeName("shape");
        g.writeArray(output.shape(), 0, output.shape().length);
        ByteBuf data = output.data();
        if (asBinary) {
            g.writeName("parameters");
            g.writeStartObject();
            g.writeNumberProperty("binary_data_size", data.readableBytes());
            g.writeEndObject();
            binary.add(data.retain());
        } else {
            g.writeName("data");
            g.writeStartArray();
            for (int i = data.readerIndex(); i < data.writerIndex(); i += 4) {
                g.writeNumber(data.getFloatLE(i));
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }
}
