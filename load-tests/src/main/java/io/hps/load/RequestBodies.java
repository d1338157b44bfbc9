package io.hps.load;

import io.hps.model.DlrmArchitecture;
import io.hps.model.workload.Batch;
import io.hps.model.workload.WorkloadGenerator;
import io.hps.model.workload.WorkloadSettings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary tensor extension bodies built before measuring: a JSON header ({@code dense} FP32
 * {@code [B, F]}, {@code categorical} INT64 {@code [B, T]}, binary output asked for), then the
 * tensors little-endian. Immutable after construction; the arrays are shared by every worker and
 * must not be written.
 */
final class RequestBodies {
    /** Stream seed of the realistic and same workloads. */
    static final long SEED = 11;
    /** Batches of a cold step start this many batches into the stream per step, so steps share no region. */
    static final long COLD_STRIDE = 1L << 20;

    private final List<byte[]> bodies;
    private final int headerLength;

    private RequestBodies(List<byte[]> bodies, int headerLength) {
        this.bodies = List.copyOf(bodies);
        this.headerLength = headerLength;
    }

    /**
     * Bodies for one step: one for {@link WorkloadMode#SAME}; otherwise as many distinct batches as fit
     * {@code budgetBytes} (at least one, at most {@code maxBatches}); {@code step} moves cold batches
     * to a region of the stream no other step uses.
     */
    static RequestBodies build(DlrmArchitecture architecture, WorkloadMode mode, int batchSize, int maxBatches,
                               long budgetBytes, int step) {
        WorkloadGenerator generator = WorkloadGenerator.forArchitecture(architecture,
                mode == WorkloadMode.COLD ? WorkloadSettings.uniform(SEED + step) : WorkloadSettings.zipf(SEED));
        long bodyBytes = (long) batchSize * (4L * architecture.denseFeatures() + 8L * architecture.tableCount());
        int count = mode == WorkloadMode.SAME ? 1 : (int) Math.clamp(budgetBytes / bodyBytes, 1, maxBatches);
        long first = mode == WorkloadMode.COLD ? COLD_STRIDE * step : 0;
        String header = header(batchSize, architecture);
        List<byte[]> bodies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            bodies.add(body(header, generator.batch(first + i, batchSize)));
        }
        return new RequestBodies(bodies, header.getBytes(StandardCharsets.UTF_8).length);
    }

    static String header(int batchSize, DlrmArchitecture architecture) {
        return ("{\"inputs\": [{\"name\": \"dense\", \"datatype\": \"FP32\", \"shape\": [%d, %d], "
                + "\"parameters\": {\"binary_data_size\": %d}}, {\"name\": \"categorical\", \"datatype\": \"INT64\", "
                + "\"shape\": [%d, %d], \"parameters\": {\"binary_data_size\": %d}}], "
                + "\"outputs\": [{\"name\": \"output\", \"parameters\": {\"binary_data\": true}}]}").formatted(
                batchSize, architecture.denseFeatures(), 4L * batchSize * architecture.denseFeatures(),
                batchSize, architecture.tableCount(), 8L * batchSize * architecture.tableCount());
    }

    private static byte[] body(String header, Batch batch) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(json.length + 4 * batch.dense().length + 8 * batch.keys().length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(json);
        for (float f : batch.dense()) {
            out.putFloat(f);
        }
        for (long k : batch.keys()) {
            out.putLong(k);
        }
        return out.array();
    }

    /** Body of request {@code index}, cycling through the set. */
    byte[] body(long index) {
        return bodies.get((int) Math.floorMod(index, (long) bodies.size()));
    }

    int count() {
        return bodies.size();
    }

    /** Bytes of the JSON header, the value of {@code Inference-Header-Content-Length}. */
    int headerLength() {
        return headerLength;
    }
}
