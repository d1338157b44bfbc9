package io.hps.gpu.dense;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;

import io.hps.gpu.DeviceContext;
import io.hps.gpu.GpuException;
import io.hps.gpu.KernelLaunch;
import io.hps.gpu.KernelModule;
import java.util.EnumMap;
import java.util.Map;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;

/**
 * The kernels of the DLRM dense forward ({@code dense_gemm.cu}, {@code interaction.cu}), with their launch
 * geometry and argument checks. Matrices are float32, row-major, with the leading dimensions in floats.
 *
 * <p>Threads: owner thread of the context's device; every method only enqueues on the context's stream.
 */
final class DenseKernels {

    static final String GEMM_MODULE = "dense_gemm";
    static final String INTERACTION_MODULE = "interaction";
    static final int FLAG_RELU = 1;
    static final int FLAG_ROUND_TF32 = 2;
    private static final int INTERACTION_WARPS = 4;
    private static final int TF32_INTERACTION_ROWS = 32;
    private static final int ROW_KERNEL_THREADS = 256;
    private static final int MAX_GRID_X = 1 << 20;

    /** Tile shapes of the GEMM entry points; shared memory as laid out in dense_gemm.cu. */
    enum Tile {
        LARGE(128, 128, 256, 2, 3), SMALL(64, 64, 128, 3, 3);

        private static final int BK = 32;
        private static final int LDS = BK + 4;
        final int rows;
        final int cols;
        final int threads;
        private final int fp32Stages;
        private final int tf32Stages;

        Tile(int rows, int cols, int threads, int fp32Stages, int tf32Stages) {
            this.rows = rows;
            this.cols = cols;
            this.threads = threads;
            this.fp32Stages = fp32Stages;
            this.tf32Stages = tf32Stages;
        }

        boolean supports(GemmMode mode) {
            return (mode.tensorCores() ? tf32Stages : fp32Stages) > 0;
        }

        String entry(GemmMode mode) {
            return "gemm_" + mode.suffix + "_" + rows + "x" + cols;
        }

        int sharedBytes(GemmMode mode) {
            return (mode.tensorCores() ? tf32Stages : fp32Stages) * (rows + cols) * LDS * Float.BYTES;
        }

        long blocks(int m, int n) {
            return (long) ceilDiv(m, rows) * ceilDiv(n, cols);
        }
    }

    private final DeviceContext context;
    private final GemmMode mode;
    private final boolean tensorCoreInteraction;
    private final Map<Tile, CUfunction> gemms = new EnumMap<>(Tile.class);
    private final CUfunction linearSigmoid;
    private final CUfunction padColumns;
    private final CUfunction interaction;
    private int interactionSharedLimit;

    /**
     * @param mode                  arithmetic of the GEMMs
     * @param tensorCoreInteraction use {@code dot_interaction_tf32} where its contract holds (n <= 32, D % 8 == 0)
     */
    DenseKernels(DeviceContext context, GemmMode mode, boolean tensorCoreInteraction) {
        this.context = context;
        this.mode = mode;
        this.tensorCoreInteraction = tensorCoreInteraction;
        KernelModule gemm = context.module(GEMM_MODULE);
        for (Tile tile : Tile.values()) {
            if (tile.supports(mode)) {
                gemms.put(tile, withSharedLimit(gemm.function(tile.entry(mode)), tile.sharedBytes(mode)));
            }
        }
        this.linearSigmoid = gemm.function("linear_sigmoid");
        this.padColumns = gemm.function("pad_columns");
        this.interaction = context.module(INTERACTION_MODULE)
                .function(tensorCoreInteraction ? "dot_interaction_tf32" : "dot_interaction");
    }

    private static CUfunction withSharedLimit(CUfunction f, int bytes) {
        cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
        return f;
    }

    GemmMode mode() {
        return mode;
    }

    /**
     * {@code y[m, n] = act(sum_k x[m, k] w[n, k] + bias[n])} for {@code m < rows, n < outputs}; {@code flags}:
     * {@link #FLAG_RELU}, {@link #FLAG_ROUND_TF32}. Requires {@code inputs % 4 == 0}, {@code ldx % 4 == 0},
     * {@code ldw % 4 == 0}, {@code ldy % 2 == 0}; in {@link GemmMode#TF32_ROUNDED} x and w hold TF32 values.
     */
    void gemm(CUdeviceptr x, int ldx, CUdeviceptr w, int ldw, CUdeviceptr bias, CUdeviceptr y, int ldy, int rows,
              int outputs, int inputs, int flags) {
        gemm(x, ldx, w, ldw, bias, y, ldy, rows, outputs, inputs, flags, tileFor(rows, outputs));
    }

    /** As the other {@code gemm}, with a chosen tile. */
    void gemm(CUdeviceptr x, int ldx, CUdeviceptr w, int ldw, CUdeviceptr bias, CUdeviceptr y, int ldy, int rows,
              int outputs, int inputs, int flags, Tile tile) {
        if (inputs % 4 != 0 || ldx % 4 != 0 || ldw % 4 != 0 || ldy % 2 != 0 || ldx < inputs || ldw < inputs
                || ldy < outputs || rows < 1 || outputs < 1 || !tile.supports(mode)) {
            throw new GpuException("gemm shape violates the kernel contract: rows=" + rows + " outputs=" + outputs
                    + " inputs=" + inputs + " ldx=" + ldx + " ldw=" + ldw + " ldy=" + ldy + " tile=" + tile
                    + " mode=" + mode);
        }
        KernelLaunch.of(gemms.get(tile))
                .grid(ceilDiv(outputs, tile.cols), ceilDiv(rows, tile.rows))
                .block(tile.threads)
                .sharedBytes(tile.sharedBytes(mode))
                .arg(x).arg(ldx).arg(w).arg(ldw).arg(bias).arg(y).arg(ldy).arg(rows).arg(outputs).arg(inputs)
                .arg(flags)
                .launch(context.stream());
    }

    /**
     * The large tile once it alone gives two blocks per multiprocessor, else the small one. (A 128x256 tile with
     * 64x64 warp tiles measured within 5% of the large one on the Criteo layers at batch 131072 and was dropped.)
     */
    Tile tileFor(int rows, int outputs) {
        return Tile.LARGE.blocks(rows, outputs) >= 2L * context.multiprocessorCount() ? Tile.LARGE : Tile.SMALL;
    }

    /** {@code scores[r] = sigmoid(x[r, 0..inputs) . w + bias[0])}, and {@code logits[r]} unless null. */
    void linearSigmoid(CUdeviceptr x, int ldx, CUdeviceptr w, CUdeviceptr bias, CUdeviceptr scores,
                       CUdeviceptr logits, int rows, int inputs) {
        if (inputs % 4 != 0 || ldx % 4 != 0 || ldx < inputs) {
            throw new GpuException("linear_sigmoid shape violates the kernel contract: inputs=" + inputs + " ldx=" + ldx);
        }
        int warps = ROW_KERNEL_THREADS / 32;
        KernelLaunch launch = KernelLaunch.of(linearSigmoid).grid(ceilDiv(rows, warps)).block(ROW_KERNEL_THREADS)
                .arg(x).arg(ldx).arg(w).arg(bias).arg(scores);
        (logits == null ? launch.nullArg() : launch.arg(logits)).arg(rows).arg(inputs).launch(context.stream());
    }

    /** {@code dst[r, c] = c < srcCols ? src[r * srcCols + c] : 0} for {@code c < dstCols}, TF32-rounded if asked. */
    void padColumns(CUdeviceptr src, int srcCols, CUdeviceptr dst, int dstCols, int rows, boolean roundTf32) {
        long total = (long) rows * dstCols;
        int grid = (int) Math.min(MAX_GRID_X, Math.max(1, ceilDiv(total, ROW_KERNEL_THREADS)));
        KernelLaunch.of(padColumns).grid(grid).block(ROW_KERNEL_THREADS)
                .arg(src).arg(srcCols).arg(dst).arg(dstCols).arg(rows).arg(roundTf32 ? 1 : 0).launch(context.stream());
    }

    /**
     * Dot interaction of {@code rows} samples: {@code out[s] = [bottom[s], <v_i, v_j> (j > i, by j then i), 0...]}
     * with {@code ldo} floats per row, TF32-rounded if asked; {@code embeddings} is
     * {@code rows x tables x dimension}, contiguous.
     */
    void interaction(CUdeviceptr bottom, int ldb, CUdeviceptr embeddings, CUdeviceptr out, int ldo, int rows,
                     int tables, int dimension, boolean roundTf32) {
        int n = tables + 1;
        if (dimension % 4 != 0 || ldb % 4 != 0 || ldo % 4 != 0 || ldo < dimension + n * (n - 1) / 2
                || (tensorCoreInteraction && (n > TF32_INTERACTION_ROWS || dimension % 8 != 0))) {
            throw new GpuException("interaction shape violates the kernel contract: tables=" + tables
                    + " dimension=" + dimension + " ldb=" + ldb + " ldo=" + ldo
                    + " tensorCores=" + tensorCoreInteraction);
        }
        int stagedRows = tensorCoreInteraction ? TF32_INTERACTION_ROWS : n;
        int shared = INTERACTION_WARPS * stagedRows * (dimension + 4) * Float.BYTES;
        if (shared > interactionSharedLimit) {
            withSharedLimit(interaction, shared);
            interactionSharedLimit = shared;
        }
        KernelLaunch.of(interaction).grid(ceilDiv(rows, INTERACTION_WARPS)).block(32 * INTERACTION_WARPS)
                .sharedBytes(shared)
                .arg(bottom).arg(ldb).arg(embeddings).arg(out).arg(ldo).arg(rows).arg(tables).arg(dimension)
                .arg(roundTf32 ? 1 : 0)
                .launch(context.stream());
    }

    /** Whether the tensor-core interaction applies to {@code tables} vectors of {@code dimension}. */
    static boolean tensorCoreInteractionFits(int tables, int dimension) {
        return tables + 1 <= TF32_INTERACTION_ROWS && dimension % 8 == 0;
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int ceilDiv(long a, int b) {
        return (int) Math.min(Integer.MAX_VALUE, (a + b - 1) / b);
    }

    static int roundUp4(int n) {
        return (n + 3) & ~3;
    }
}
