package io.hps.dense.gpu;

import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuException;
import io.hps.gpu.ipc.IpcMemHandles;
import io.hps.gpu.ipc.OpenedHandles;
import io.hps.gpu.dense.GpuDlrm;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.workload.Batch;
import io.hps.wire.LookupResponseDecoder;
import io.hps.wire.LookupStatus;
import io.hps.wire.VectorHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import java.util.concurrent.CompletableFuture;

/**
 * The dense side of the same-host GPU ensemble: the HPS lookup runs in another process ({@link IpcLookupServer}),
 * reached over RSocket on loopback, and neither keys nor embeddings are copied between the two: the keys go to this
 * side's device key buffer (exported once as a CUDA IPC handle), the server answers with the handle of one of its
 * pooled embedding buffers, which this side opens once per buffer and feeds to {@link GpuDlrm} directly.
 *
 * <p>Per request: keys and dense features through pinned staging to the device (synchronised), one RSocket
 * request-response carrying 72 bytes out and a lookup response frame back, the forward on the peer's buffer, the
 * scores back. Threads: see {@link GpuPath}; requests must not overlap (the server's pool is round-robin).
 */
public final class GpuEnsemblePath implements GpuPath {

    private final DeviceOwner owner;
    private final GpuDlrm dlrm;
    private final BatchStaging staging;
    private final OpenedHandles opened;
    private final byte[] keyHandle;
    private final RSocket rsocket;
    private final DlrmArchitecture arch;

    private GpuEnsemblePath(DeviceOwner owner, GpuDlrm dlrm, BatchStaging staging, OpenedHandles opened,
                            byte[] keyHandle, RSocket rsocket) {
        this.owner = owner;
        this.dlrm = dlrm;
        this.staging = staging;
        this.opened = opened;
        this.keyHandle = keyHandle;
        this.rsocket = rsocket;
        this.arch = dlrm.architecture();
    }

    /** Uploads the dense weights, allocates the staging and connects to the lookup server on {@code port}. */
    public static CompletableFuture<GpuEnsemblePath> connect(DeviceOwner owner, DlrmWeights weights,
                                                             GpuPathConfig config, int port) {
        RSocket rsocket = RSocketConnector.create().payloadDecoder(PayloadDecoder.ZERO_COPY)
                .connect(TcpClientTransport.create("127.0.0.1", port)).block();
        return GpuDlrm.load(owner, weights, config.dlrm()).thenCompose(dlrm -> owner.submit(context -> {
            BatchStaging staging = new BatchStaging(context, weights.architecture(), config.maxBatchSize(), false);
            return new GpuEnsemblePath(owner, dlrm, staging, new OpenedHandles(context),
                    IpcMemHandles.export(context, staging.keys), rsocket);
        }));
    }

    @Override
    public CompletableFuture<float[]> score(Batch batch) {
        Batches.check(batch, arch, dlrm.config().maxBatchSize());
        int n = batch.batchSize();
        return owner.submit(context -> stage(context, batch))
                .thenCompose(request -> rsocket.requestResponse(ByteBufPayload.create(request)).toFuture())
                .thenCompose(response -> owner.submit(context -> forward(context, n, response)));
    }

    private ByteBuf stage(DeviceContext context, Batch batch) {
        staging.enqueueInputs(batch);
        context.synchronize();
        return new HandleRequest(batch.batchSize(), arch.tableCount(), keyHandle).encode(ByteBufAllocator.DEFAULT);
    }

    private float[] forward(DeviceContext context, int n, Payload response) {
        VectorHandle.CudaIpc handle;
        try {
            ByteBuf data = response.sliceData();
            LookupResponseDecoder decoder = new LookupResponseDecoder().wrap(data, data.readerIndex(),
                    data.readableBytes());
            if (decoder.status() != LookupStatus.OK && decoder.status() != LookupStatus.DEFAULTS_USED) {
                throw new GpuException("lookup failed: status=" + decoder.status());
            }
            if (!(decoder.embeddings().handle() instanceof VectorHandle.CudaIpc ipc)) {
                throw new GpuException("lookup response carries no CUDA IPC handle: storage="
                        + decoder.embeddings().storage());
            }
            handle = ipc;
        } finally {
            response.release();
        }
        dlrm.enqueueForward(context, n, staging.dense.pointer(),
                opened.pointer(handle.ipcHandle()).withByteOffset(handle.offset()));
        staging.enqueueScores(dlrm.scores(), n);
        context.synchronize();
        return staging.scores(n);
    }

    /** Peer buffers opened so far (one per pooled buffer of the server that answered). */
    public CompletableFuture<Integer> openedBuffers() {
        return owner.submit(context -> opened.size());
    }

    @Override
    public void close() {
        rsocket.dispose();
        owner.submit(context -> {
            context.synchronize();
            opened.close();
            staging.close();
            return null;
        }).join();
        dlrm.close();
    }
}
