package io.hps.gpu.dense;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;

import io.hps.gpu.DeviceContext;
import io.hps.gpu.GpuException;
import io.hps.gpu.KernelLaunch;
import io.hps.gpu.KernelModule;
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
    private static final int INTERACTION_WARPS = 4;
    private static final int ROW_KERNEL_THREADS = 256;
    private static final int MAX_GRID_X = 1 << 20;

    /** Tile shapes of the GEMM entry points; shared memory as laid out in dense_gemm.cu. */
    enum Tile {
        LARGE(128, 128, 256, 3, 2), SMALL(64, 64, 128, 3, 3);

        private static final int BK = 32;
        private static final int LDS = BK + 4;
        final int rows;
        final int cols;
        final int threads;
        final int tf32Stages;
        final int fp32Stages;

        Tile(int rows, int cols, int threads, int tf32Stages, int fp32Stages) {
            this.rows = rows;
            this.cols = cols;
            this.threads = threads;
            this.tf32Stages = tf32Stages;
            this.fp32Stages = fp32Stages;
        }

        String entry(GemmPrecision precision) {
            return "gemm_" + precision.name().toLowerCase(java.util.Locale.ROOT) + "_" + rows + "x" + cols;
        }

        int sharedBytes(GemmPrecision precision) {
            int stages = precision == GemmPrecision.TF32 ? tf32Stages : fp32Stages;
            return stages * (rows + cols) * LDS * Float.BYTES;
        }

        long blocks(int m, int n) {
            return (long) ceilDiv(m, rows) * ceilDiv(n, cols);
        }
    }

    private final DeviceContext context;
    private final GemmPrecision precision;
    private final CUfunction large;
    private final CUfunction small;
    private final CUfunction linearSigmoid;
    private final CUfunction padColumns;
    private final CUfunction interaction;
    private int interactionSharedLimit;

    DenseKernels(DeviceContext context, GemmPrecision precision) {
        this.context = context;
        this.precision = precision;
        KernelModule gemm = context.module(GEMM_MODULE);
        this.large = withSharedLimit(gemm.function(Tile.LARGE.entry(precision)), Tile.LARGE.sharedBytes(precision));
        this.small = withSharedLimit(gemm.function(Tile.SMALL.entry(precision)), Tile.SMALL.sharedBytes(precision));
        this.linearSigmoid = gemm.function("linear_sigmoid");
        this.padColumns = gemm.function("pad_columns");
        this.interaction = context.module(INTERACTION_MODULE).function("dot_interaction");
    }

    private static CUfunction withSharedLimit(CUfunction f, int bytes) {
        cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
        return f;
    }

    GemmPrecision precision() {
        return precision;
    }

    /**
     * {@code y[m, n] = act(sum_k x[m, k] w[n, k] + bias[n])} for {@code m < rows, n < outputs}, act = ReLU or
     * identity. Requires {@code inputs % 4 == 0}, {@code ldx % 4 == 0}, {@code ldw % 4 == 0}, {@code ldy % 2 == 0}.
     */
    void gemm(CUdeviceptr x, int ldx, CUdeviceptr w, int ldw, CUdeviceptr bias, CUdeviceptr y, int ldy, int rows,
              int outputs, int inputs, boolean relu) {
        gemm(x, ldx, w, ldw, bias, y, ldy, rows, outputs, inputs, relu, tileFor(rows, outputs));
    }

    /** As {@link #gemm(CUdeviceptr, int, CUdeviceptr, int, CUdeviceptr, CUdeviceptr, int, int, int, int, boolean)} with a chosen tile. */
    void gemm(CUdeviceptr x, int ldx, CUdeviceptr w, int ldw, CUdeviceptr bias, CUdeviceptr y, int ldy, int rows,
              int outputs, int inputs, boolean relu, Tile tile) {
        if (inputs % 4 != 0 || ldx % 4 != 0 || ldw % 4 != 0 || ldy % 2 != 0 || ldx < inputs || ldw < inputs
                || ldy < outputs || rows < 1 || outputs < 1) {
            throw new GpuException("gemm shape violates the kernel contract: rows=" + rows + " outputs=" + outputs
                    + " inputs=" + inputs + " ldx=" + ldx + " ldw=" + ldw + " ldy=" + ldy);
        }
        KernelLaunch.of(tile == Tile.LARGE ? large : small)
                .grid(ceilDiv(outputs, tile.cols), ceilDiv(rows, tile.rows))
                .block(tile.threads)
                .sharedBytes(tile.sharedBytes(precision))
                .arg(x).arg(ldx).arg(w).arg(ldw).arg(bias).arg(y).arg(ldy).arg(rows).arg(outputs).arg(inputs)
                .arg(relu ? 1 : 0)
                .launch(context.stream());
    }

    /** The large tile once it alone yields two waves of blocks over the multiprocessors. */
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

    /** {@code dst[r, c] = c < srcCols ? src[r * srcCols + c] : 0} for {@code c < dstCols}. */
    void padColumns(CUdeviceptr src, int srcCols, CUdeviceptr dst, int dstCols, int rows) {
        long total = (long) rows * dstCols;
        int grid = (int) Math.min(MAX_GRID_X, Math.max(1, ceilDiv(total, ROW_KERNEL_THREADS)));
        KernelLaunch.of(padColumns).grid(grid).block(ROW_KERNEL_THREADS)
                .arg(src).arg(srcCols).arg(dst).arg(dstCols).arg(rows).launch(context.stream());
    }

    /**
     * Dot interaction of {@code rows} samples: {@code out[s] = [bottom[s], <v_i, v_j> (j > i, by j then i), 0...]}
     * with {@code ldo} floats per row; {@code embeddings} is {@code rows x tables x dimension}, contiguous.
     */
    void interaction(CUdeviceptr bottom, int ldb, CUdeviceptr embeddings, CUdeviceptr out, int ldo, int rows,
                     int tables, int dimension) {
        int n = tables + 1;
        int shared = INTERACTION_WARPS * n * (dimension + 4) * Float.BYTES;
        if (dimension % 4 != 0 || ldb % 4 != 0 || ldo % 4 != 0 || ldo < dimension + n * (n - 1) / 2) {
            throw new GpuException("interaction shape violates the kernel contract: tables=" + tables
                    + " dimension=" + dimension + " ldb=" + ldb + " ldo=" + ldo);
        }
        if (shared > interactionSharedLimit) {
            withSharedLimit(interaction, shared);
            interactionSharedLimit = shared;
        }
        KernelLaunch.of(interaction).grid(ceilDiv(rows, INTERACTION_WARPS)).block(32 * INTERACTION_WARPS)
                .sharedBytes(shared)
                .arg(bottom).arg(ldb).arg(embeddings).arg(out).arg(ldo).arg(rows).arg(tables).arg(dimension)
                .launch(context.stream());
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
