package io.hps.gpu.dense;

import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuException;
import io.hps.gpu.PinnedBuffer;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DenseLayer;
import io.hps.model.dense.DlrmWeights;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import jcuda.driver.CUdeviceptr;

/**
 * The DLRM dense forward on one CUDA device: bottom MLP, dot interaction, top MLP and sigmoid, the same function
 * as {@code io.hps.model.reference.ReferenceDlrm} (see its Javadoc for the exact order of the interaction).
 *
 * <p>The weights are uploaded once by {@link #load}; every buffer (activations, inputs, scores, pinned host
 * staging) is allocated at load time for {@link GpuDlrmConfig#maxBatchSize()} samples. Each forward enqueues
 * {@code 2 + bottom + top} kernels on the device's stream. In {@link GemmPrecision#TF32} the hidden-layer weights are
 * rounded to TF32 on upload and every tensor-core operand is rounded once, by the kernel that produces it.
 *
 * <p>Layouts, all float32 row-major: dense features {@code batch x denseFeatures}; embeddings
 * {@code batch x tables x dimension} (sample, then table, then element); scores {@code batch}.
 *
 * <p>Threads: the {@code score} methods may be called from any thread and return at once; the work runs on the
 * device's owner thread, one forward at a time. {@link #enqueueForward} is for code already on the owner thread.
 * Requires every MLP width except the last top layer's to be a multiple of 4.
 */
public final class GpuDlrm implements AutoCloseable {

    private final DeviceOwner owner;
    private final DlrmArchitecture arch;
    private final GpuDlrmConfig config;
    private final DenseKernels kernels;
    private final List<DeviceLayer> bottom;
    private final List<DeviceLayer> top;
    private final DeviceLayer last;
    private final boolean tf32;
    private final DeviceBuffer ping;
    private final DeviceBuffer pong;
    private final DeviceBuffer denseIn;
    private final DeviceBuffer embeddingsIn;
    private final DeviceBuffer scores;
    private final DeviceBuffer logits;
    private final PinnedBuffer staging;
    private final int denseStride;
    private final int interactionStride;
    /** Batch size of the bottom MLP enqueued last and not yet topped, or -1; owner thread only. */
    private int bottomBatch = -1;

    private GpuDlrm(DeviceOwner owner, DeviceContext context, DlrmWeights weights, GpuDlrmConfig config) {
        this.owner = owner;
        this.arch = weights.architecture();
        this.config = config;
        this.tf32 = config.precision() == GemmPrecision.TF32;
        this.kernels = new DenseKernels(context, tf32 ? GemmMode.TF32_ROUNDED : GemmMode.FP32,
                tf32 && DenseKernels.tensorCoreInteractionFits(arch.tableCount(), arch.embeddingDimension()));
        this.bottom = upload(context, weights.bottom(), tf32);
        this.top = upload(context, weights.top().subList(0, weights.top().size() - 1), tf32);
        this.last = DeviceLayer.upload(context, weights.top().getLast(), false);
        this.denseStride = DenseKernels.roundUp4(arch.denseFeatures());
        this.interactionStride = DenseKernels.roundUp4(arch.topInputWidth());
        long rows = config.maxBatchSize();
        long activationFloats = rows * widest();
        this.ping = context.allocate(activationFloats * Float.BYTES);
        this.pong = context.allocate(activationFloats * Float.BYTES);
        this.denseIn = context.allocate(rows * arch.denseFeatures() * Float.BYTES);
        this.embeddingsIn = context.allocate(rows * embeddingFloatsPerSample() * Float.BYTES);
        this.scores = context.allocate(rows * Float.BYTES);
        this.logits = context.allocate(rows * Float.BYTES);
        this.staging = context.allocatePinned(rows * (arch.denseFeatures() + embeddingFloatsPerSample() + 1) * Float.BYTES);
    }

    /**
     * Uploads {@code weights} to the owner's device and allocates the buffers.
     *
     * @throws GpuException (through the future) if an MLP width breaks the multiple-of-4 rule
     */
    public static CompletableFuture<GpuDlrm> load(DeviceOwner owner, DlrmWeights weights, GpuDlrmConfig config) {
        checkShape(weights.architecture());
        return owner.submit(context -> new GpuDlrm(owner, context, weights, config));
    }

    private static void checkShape(DlrmArchitecture arch) {
        int[] topWidths = arch.topMlp();
        for (int w : arch.bottomMlp()) {
            requireMultipleOf4(w, arch);
        }
        for (int i = 0; i < topWidths.length - 1; i++) {
            requireMultipleOf4(topWidths[i], arch);
        }
    }

    private static void requireMultipleOf4(int width, DlrmArchitecture arch) {
        if (width % 4 != 0) {
            throw new GpuException("MLP widths must be multiples of 4 on the GPU: width=" + width + " architecture=" + arch);
        }
    }

    private static List<DeviceLayer> upload(DeviceContext context, List<DenseLayer> layers, boolean roundTf32) {
        List<DeviceLayer> out = new ArrayList<>(layers.size());
        for (DenseLayer l : layers) {
            out.add(DeviceLayer.upload(context, l, roundTf32));
        }
        return List.copyOf(out);
    }

    private int widest() {
        int w = Math.max(denseStride, interactionStride);
        for (int x : arch.bottomMlp()) {
            w = Math.max(w, x);
        }
        for (int x : arch.topMlp()) {
            w = Math.max(w, x);
        }
        return w;
    }

    private long embeddingFloatsPerSample() {
        return (long) arch.tableCount() * arch.embeddingDimension();
    }

    public GpuDlrmConfig config() {
        return config;
    }

    public DlrmArchitecture architecture() {
        return arch;
    }

    /**
     * Scores a batch given in host memory: copies it through pinned staging, runs the forward, copies the scores
     * back. The arrays are read before the future completes and not retained.
     */
    public CompletableFuture<float[]> score(int batch, float[] dense, float[] embeddings) {
        checkBatch(batch);
        checkLength("dense", dense.length, (long) batch * arch.denseFeatures());
        checkLength("embeddings", embeddings.length, batch * embeddingFloatsPerSample());
        return owner.submit(context -> {
            long denseBytes = (long) dense.length * Float.BYTES;
            long embeddingBytes = (long) embeddings.length * Float.BYTES;
            MemorySegment pinned = staging.segment();
            MemorySegment.copy(dense, 0, pinned, ValueLayout.JAVA_FLOAT, 0, dense.length);
            MemorySegment.copy(embeddings, 0, pinned, ValueLayout.JAVA_FLOAT, denseBytes, embeddings.length);
            cuMemcpyHtoDAsync(denseIn.pointer(), staging.pointer(), denseBytes, context.stream());
            cuMemcpyHtoDAsync(embeddingsIn.pointer(), staging.pointer().withByteOffset(denseBytes), embeddingBytes,
                    context.stream());
            enqueueForward(context, batch, denseIn.pointer(), embeddingsIn.pointer());
            return copyScores(context, batch);
        });
    }

    /**
     * Scores a batch already in this device's memory. The buffers stay owned by the caller and must not be
     * written until the future completes.
     */
    public CompletableFuture<float[]> score(int batch, DeviceBuffer dense, DeviceBuffer embeddings) {
        checkBatch(batch);
        checkCapacity("dense", dense.bytes(), (long) batch * arch.denseFeatures() * Float.BYTES);
        checkCapacity("embeddings", embeddings.bytes(), batch * embeddingFloatsPerSample() * Float.BYTES);
        return owner.submit(context -> {
            enqueueForward(context, batch, dense.pointer(), embeddings.pointer());
            return copyScores(context, batch);
        });
    }

    private float[] copyScores(DeviceContext context, int batch) {
        scores.copyToAsync(staging, (long) batch * Float.BYTES);
        context.synchronize();
        float[] out = new float[batch];
        MemorySegment.copy(staging.segment(), ValueLayout.JAVA_FLOAT, 0, out, 0, batch);
        return out;
    }

    /**
     * Enqueues one forward on the context's stream; the scores land in the first {@code batch} floats of
     * {@link #scores()}. Owner thread only; the inputs must stay valid until the stream has passed the forward.
     */
    public void enqueueForward(DeviceContext context, int batch, CUdeviceptr dense, CUdeviceptr embeddings) {
        enqueueBottom(context, batch, dense);
        enqueueTop(context, batch, embeddings);
    }

    /**
     * Enqueues the first half of a forward, the bottom MLP, which needs only the dense features: a caller whose
     * embeddings are still on their way (the ensemble) runs it meanwhile and calls {@link #enqueueTop} with the same
     * batch size next. Owner thread only.
     */
    public void enqueueBottom(DeviceContext context, int batch, CUdeviceptr dense) {
        context.checkOwner();
        checkBatch(batch);
        kernels.padColumns(dense, arch.denseFeatures(), ping.pointer(), denseStride, batch, tf32);
        CUdeviceptr x = ping.pointer();
        CUdeviceptr y = pong.pointer();
        int ldx = denseStride;
        for (int i = 0; i < bottom.size(); i++) {
            DeviceLayer l = bottom.get(i);
            gemm(l, x, ldx, y, batch, i < bottom.size() - 1);
            ldx = l.outputs();
            CUdeviceptr t = x;
            x = y;
            y = t;
        }
        bottomBatch = batch;
    }

    /**
     * Enqueues the second half of a forward (interaction, top MLP, sigmoid) on the bottom MLP's output of the last
     * {@link #enqueueBottom}, which must have been for {@code batch} samples. Owner thread only.
     *
     * @throws IllegalStateException when no bottom MLP of that batch size was enqueued before
     */
    public void enqueueTop(DeviceContext context, int batch, CUdeviceptr embeddings) {
        context.checkOwner();
        if (bottomBatch != batch) {
            throw new IllegalStateException("the top of a forward needs its bottom MLP first: batch=" + batch
                    + " bottom batch=" + bottomBatch);
        }
        bottomBatch = -1;
        boolean inPing = bottom.size() % 2 == 0;
        CUdeviceptr x = inPing ? ping.pointer() : pong.pointer();
        CUdeviceptr y = inPing ? pong.pointer() : ping.pointer();
        int ldx = bottom.isEmpty() ? denseStride : bottom.getLast().outputs();
        kernels.interaction(x, ldx, embeddings, y, interactionStride, batch, arch.tableCount(),
                arch.embeddingDimension(), tf32);
        CUdeviceptr t0 = x;
        x = y;
        y = t0;
        ldx = interactionStride;
        for (int i = 0; i < top.size(); i++) {
            DeviceLayer l = top.get(i);
            gemm(l, x, ldx, y, batch, i < top.size() - 1);
            ldx = l.outputs();
            CUdeviceptr t = x;
            x = y;
            y = t;
        }
        kernels.linearSigmoid(x, ldx, last.weight(), last.bias(), scores.pointer(), logits.pointer(), batch,
                last.paddedInputs());
    }

    /**
     * One hidden layer with ReLU. In TF32 its output is rounded to TF32 when the consumer is another tensor-core
     * GEMM ({@code feedsGemm}); the interaction and the last layer read it as it is.
     */
    private void gemm(DeviceLayer l, CUdeviceptr x, int ldx, CUdeviceptr y, int batch, boolean feedsGemm) {
        int flags = DenseKernels.FLAG_RELU | (tf32 && feedsGemm ? DenseKernels.FLAG_ROUND_TF32 : 0);
        kernels.gemm(x, ldx, l.weight(), l.paddedInputs(), l.bias(), y, l.outputs(), batch, l.outputs(),
                l.paddedInputs(), flags);
    }

    /** Device buffer holding the scores of the last forward, {@code maxBatchSize} floats. Owner thread only. */
    public DeviceBuffer scores() {
        return scores;
    }

    /** Logits (before the sigmoid) of the last forward, for accuracy checks. Owner thread only. */
    DeviceBuffer logits() {
        return logits;
    }

    private void checkBatch(int batch) {
        if (batch < 1 || batch > config.maxBatchSize()) {
            throw new GpuException("batch out of range: batch=" + batch + " maxBatchSize=" + config.maxBatchSize());
        }
    }

    private static void checkLength(String what, long actual, long expected) {
        if (actual != expected) {
            throw new GpuException(what + " length mismatch: length=" + actual + " expected=" + expected);
        }
    }

    private static void checkCapacity(String what, long bytes, long needed) {
        if (bytes < needed) {
            throw new GpuException(what + " buffer too small: bytes=" + bytes + " needed=" + needed);
        }
    }

    /** Frees every device and pinned buffer on the owner thread; waits for it. */
    @Override
    public void close() {
        owner.submit(context -> {
            context.synchronize();
            bottom.forEach(DeviceLayer::close);
            top.forEach(DeviceLayer::close);
            last.close();
            List.of(ping, pong, denseIn, embeddingsIn, scores, logits).forEach(DeviceBuffer::close);
            staging.close();
            return null;
        }).join();
    }
}
