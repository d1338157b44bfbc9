package io.hps.gateway;

import io.hps.model.workload.Batch;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/** KServe v2 request bodies for tests, JSON and binary. */
final class Requests {
    private Requests() {
    }

    /** A DLRM request with {@code data} nested as [B][13] and [B][26], or flat when {@code nested} is false. */
    static String dlrm(Batch batch, boolean nested, String parameters) {
        StringJoiner dense = new StringJoiner(",", "[", "]");
        StringJoiner keys = new StringJoiner(",", "[", "]");
        for (int s = 0; s < batch.batchSize(); s++) {
            StringJoiner d = new StringJoiner(",", nested ? "[" : "", nested ? "]" : "");
            for (int f = 0; f < batch.denseFeatures(); f++) {
                d.add(Float.toString(batch.dense(s, f)));
            }
            dense.add(d.toString());
            StringJoiner k = new StringJoiner(",", nested ? "[" : "", nested ? "]" : "");
            for (int t = 0; t < batch.tableCount(); t++) {
                k.add(Long.toString(batch.key(s, t)));
            }
            keys.add(k.toString());
        }
        return """
                {"id": "r1"%s, "inputs": [
                 {"name": "dense", "datatype": "FP32", "shape": [%d, %d], "data": %s},
                 {"name": "categorical", "datatype": "INT64", "shape": [%d, %d], "data": %s}]}
                """.formatted(parameters.isEmpty() ? "" : ", \"parameters\": " + parameters, batch.batchSize(),
                batch.denseFeatures(), dense, batch.batchSize(), batch.tableCount(), keys);
    }

    /** Binary extension body: JSON header, then dense and categorical bytes; outputs binary when asked. */
    static Binary dlrmBinary(Batch batch, boolean binaryOutput) {
        int denseBytes = 4 * batch.dense().length;
        int keyBytes = 8 * batch.keys().length;
        String header = """
                {"inputs": [
                 {"name": "dense", "datatype": "FP32", "shape": [%d, %d], "parameters": {"binary_data_size": %d}},
                 {"name": "categorical", "datatype": "INT64", "shape": [%d, %d], "parameters": {"binary_data_size": %d}}],
                 "outputs": [{"name": "output", "parameters": {"binary_data": %s}}]}
                """.formatted(batch.batchSize(), batch.denseFeatures(), denseBytes, batch.batchSize(),
                batch.tableCount(), keyBytes, binaryOutput);
        ByteBuffer tensors = ByteBuffer.allocate(denseBytes + keyBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : batch.dense()) {
            tensors.putFloat(f);
        }
        for (long k : batch.keys()) {
            tensors.putLong(k);
        }
        return Binary.of(header, tensors.array());
    }

    /** A JSON header and binary bytes after it. */
    record Binary(byte[] body, int headerLength) {
        static Binary of(String header, byte[] tensors) {
            byte[] json = header.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(json);
            out.writeBytes(tensors);
            return new Binary(out.toByteArray(), json.length);
        }
    }
}
