package io.hps.gpu.embedding;

import io.hps.gpu.DeviceContext;
import io.hps.gpu.GpuException;
import io.hps.gpu.KernelLaunch;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;

/**
 * Gathers embedding rows of a device-resident table into a contiguous output ({@code gather.cu}):
 * {@code out[r, 0..dimension) = table[rows[r], 0..dimension)} for {@code r < count}, 16 bytes per load.
 *
 * <p>Layouts: {@code table} is {@code tableRows x dimension} float32 row-major; {@code rows} holds
 * {@code count} int64 row indices, each in {@code [0, tableRows)} (not checked on the device); {@code out}
 * receives {@code count x dimension} floats. Threads: owner thread of the device; only enqueues.
 */
public final class EmbeddingGather {

    static final String MODULE = "gather";
    private static final int THREADS = 256;
    private static final int BLOCKS_PER_SM = 8;

    private final DeviceContext context;
    private final CUfunction function;

    private EmbeddingGather(DeviceContext context, CUfunction function) {
        this.context = context;
        this.function = function;
    }

    public static EmbeddingGather load(DeviceContext context) {
        return new EmbeddingGather(context, context.module(MODULE).function("gather_rows"));
    }

    /** Enqueues the gather on the context's stream. Requires {@code dimension % 4 == 0}. */
    public void gather(CUdeviceptr table, int dimension, CUdeviceptr rows, long count, CUdeviceptr out) {
        if (dimension < 4 || dimension % 4 != 0 || count < 0) {
            throw new GpuException("gather shape violates the kernel contract: dimension=" + dimension + " count=" + count);
        }
        if (count == 0) {
            return;
        }
        long vectors = count * (dimension / 4);
        int grid = (int) Math.min((long) context.multiprocessorCount() * BLOCKS_PER_SM, (vectors + THREADS - 1) / THREADS);
        KernelLaunch.of(function).grid(grid).block(THREADS)
                .arg(table).arg(rows).arg(out).arg(count).arg(dimension)
                .launch(context.stream());
    }
}
