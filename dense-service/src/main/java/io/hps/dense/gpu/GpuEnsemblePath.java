package io.hps.dense.gpu;

import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuException;
import io.hps.gpu.dense.GpuDlrm;
import io.hps.gpu.ipc.IpcEvents;
import io.hps.gpu.ipc.IpcMemHandles;
import io.hps.gpu.ipc.OpenedHandles;
import io.hps.gpu.table.BatchStaging;
import io.hps.model.DlrmArchitecture;
import io.hps.model.dense.DlrmWeights;
import io.hps.model.workload.Batch;
import io.hps.transport.Endpoints;
import io.hps.transport.gpu.EnsembleOptions;
import io.hps.transport.gpu.HandleRequest;
import io.hps.transport.gpu.HopLog;
import io.hps.transport.gpu.IpcLookupServer;
import io.hps.transport.gpu.SpinningEventLoop;
import io.hps.wire.LookupResponseDecoder;
import io.hps.wire.LookupStatus;
import io.hps.wire.VectorHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.ClientTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import reactor.netty.tcp.TcpClient;

/**
 * The dense side of the same-host GPU ensemble: the HPS lookup runs in another process ({@link IpcLookupServer}),
 * reached over RSocket on loopback TCP or shared memory, and neither keys nor embeddings are copied between the two:
 * the keys go to this side's device key buffer (exported once as a CUDA IPC handle), the server answers with the handle
 * of one of its pooled embedding buffers, which this side opens once per buffer and feeds to {@link GpuDlrm} directly.
 *
 * <p>Per request: keys and dense features through pinned staging to the device, one RSocket request-response
 * carrying a {@link HandleRequest} out, the bottom MLP enqueued while the lookup is away (unless
 * {@link EnsembleOptions#bottomDuringLookup()} is off), a lookup response frame back, the rest of the forward on the
 * peer's buffer, the scores back. With {@code deviceWait} the request goes out as soon as the copies are enqueued: it
 * carries the handle of an interprocess event recorded after the key copy, and the server's stream waits for that event
 * on the device; without it the client synchronises its stream before sending (72-byte request). When the server
 * replies before its lookup has run on the device, the response metadata names the server's interprocess ready event
 * and this side's stream waits for it before the forward reads the buffer. Each request's hops are
 * stamped into {@link #hops()} (the server's stamps come back in the response metadata).
 *
 * <p>Threads: see {@link GpuPath}; requests must not overlap ({@link SerialGpuPath} enforces it) (the server's pool is
 * round-robin, and the key buffer and the event are reused by the next request, which is staged only after the previous
 * response arrived).
 */
public final class GpuEnsemblePath implements GpuPath {

    private final DeviceOwner owner;
    private final GpuDlrm dlrm;
    private final BatchStaging staging;
    private final OpenedHandles<CUdeviceptr> opened;
    private final byte[] keyHandle;
    private final RSocket rsocket;
    private final DlrmArchitecture arch;
    private final CUevent keysReady;
    private final byte[] keysReadyHandle;
    private final HopLog hops = new HopLog();
    /** The server's ready events, opened once each; owner thread only. */
    private final OpenedHandles<CUevent> readyEvents;
    private final Optional<EventLoopGroup> loop;
    private final boolean bottomDuringLookup;

    private GpuEnsemblePath(DeviceOwner owner, GpuDlrm dlrm, BatchStaging staging, OpenedHandles<CUdeviceptr> opened,
                            OpenedHandles<CUevent> readyEvents,
                            byte[] keyHandle, RSocket rsocket, CUevent keysReady, byte[] keysReadyHandle,
                            Optional<EventLoopGroup> loop, boolean bottomDuringLookup) {
        this.owner = owner;
        this.dlrm = dlrm;
        this.staging = staging;
        this.opened = opened;
        this.readyEvents = readyEvents;
        this.keyHandle = keyHandle;
        this.rsocket = rsocket;
        this.arch = dlrm.architecture();
        this.keysReady = keysReady;
        this.keysReadyHandle = keysReadyHandle;
        this.loop = loop;
        this.bottomDuringLookup = bottomDuringLookup;
    }

    /**
     * Uploads the dense weights, allocates the staging and connects to the lookup server on {@code port} (blocks
     * while connecting: call it at start-up). {@code options} say how the two sides wait for each other.
     */
    public static CompletableFuture<GpuEnsemblePath> connect(DeviceOwner owner, DlrmWeights weights,
                                                             GpuPathConfig config, int port,
                                                             EnsembleOptions options) {
        return connect(owner, weights, config, "127.0.0.1", port, options);
    }

    /**
     * As {@link #connect(DeviceOwner, DlrmWeights, GpuPathConfig, int, EnsembleOptions)}, to the lookup server on
     * {@code host:port}, which must run on this host (the CUDA IPC handles open on this host only).
     */
    public static CompletableFuture<GpuEnsemblePath> connect(DeviceOwner owner, DlrmWeights weights,
                                                             GpuPathConfig config, String host, int port,
                                                             EnsembleOptions options) {
        return connect(owner, weights, config, InetSocketAddress.createUnresolved(host, port), options);
    }

    /**
     * As {@link #connect(DeviceOwner, DlrmWeights, GpuPathConfig, int, EnsembleOptions)}, to the lookup server at
     * {@code address} ({@link Endpoints}): over loopback TCP, or over shared memory for a Unix domain socket
     * address, whose connection polls for as long as {@code options} let an event loop poll.
     */
    public static CompletableFuture<GpuEnsemblePath> connect(DeviceOwner owner, DlrmWeights weights,
                                                             GpuPathConfig config, SocketAddress address,
                                                             EnsembleOptions options) {
        boolean deviceWait = options.deviceWait();
        long spin = options.eventLoopSpinMicros();
        Optional<EventLoopGroup> loop = spin == 0 || Endpoints.sharedMemory(address) ? Optional.empty()
                : SpinningEventLoop.create("hps-ensemble-client", spin);
        ClientTransport transport;
        if (address instanceof InetSocketAddress inet) {
            TcpClient tcp = TcpClient.create().host(inet.getHostString()).port(inet.getPort());
            transport = TcpClientTransport.create(loop.map(tcp::runOn).orElse(tcp));
        } else {
            transport = Endpoints.client(address, Endpoints.shmSettings(spin));
        }
        RSocket rsocket = RSocketConnector.create().payloadDecoder(PayloadDecoder.ZERO_COPY)
                .connect(transport).block();
        return GpuDlrm.load(owner, weights, config.dlrm()).thenCompose(dlrm -> owner.submit(context -> {
            BatchStaging staging = new BatchStaging(context, weights.architecture(), config.maxBatchSize(), false);
            CUevent event = deviceWait ? IpcEvents.create(context) : null;
            return new GpuEnsemblePath(owner, dlrm, staging, OpenedHandles.memory(context), OpenedHandles.events(context),
                    IpcMemHandles.export(context, staging.keys), rsocket, event,
                    deviceWait ? IpcEvents.export(context, event) : null, loop, options.bottomDuringLookup());
        }));
    }

    @Override
    public CompletableFuture<float[]> score(Batch batch) {
        Batches.check(batch, arch, dlrm.config().maxBatchSize());
        int n = batch.batchSize();
        hops.stamp(HopLog.SUBMIT);
        return owner.submit(context -> {
                    CompletableFuture<Payload> response = rsocket.requestResponse(
                            ByteBufPayload.create(stage(context, batch))).toFuture();
                    if (bottomDuringLookup) {
                        try {
                            dlrm.enqueueBottom(context, n, staging.dense.pointer());
                        } catch (RuntimeException e) {
                            response.thenAccept(Payload::release);
                            throw e;
                        }
                    }
                    return response;
                })
                .thenCompose(response -> response)
                .thenCompose(response -> {
                    hops.stamp(HopLog.RECEIVED);
                    return owner.submit(context -> forward(context, n, response));
                });
    }

    private ByteBuf stage(DeviceContext context, Batch batch) {
        hops.stamp(HopLog.STAGE_START);
        staging.enqueueInputs(batch);
        if (keysReady == null) {
            context.synchronize();
        } else {
            IpcEvents.record(context, keysReady);
        }
        ByteBuf request = new HandleRequest(batch.batchSize(), arch.tableCount(), keyHandle, keysReadyHandle)
                .encode(ByteBufAllocator.DEFAULT);
        hops.stamp(HopLog.SENT);
        return request;
    }

    private float[] forward(DeviceContext context, int n, Payload response) {
        hops.stamp(HopLog.FORWARD_START);
        VectorHandle.CudaIpc handle;
        try {
            readServerStamps(response);
            waitForReadyEvent(context, response);
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
        CUdeviceptr embeddings = opened.open(handle.ipcHandle()).withByteOffset(handle.offset());
        if (bottomDuringLookup) {
            dlrm.enqueueTop(context, n, embeddings);
        } else {
            dlrm.enqueueForward(context, n, staging.dense.pointer(), embeddings);
        }
        staging.enqueueScores(dlrm.scores(), n);
        context.synchronize();
        hops.stamp(HopLog.FORWARD_DONE);
        return staging.scores(n);
    }

    /**
     * Makes the stream wait (on the device) for the server's ready event when the response names one: the metadata's
     * 64 bytes after the server stamps. Each of the server's events is opened once.
     */
    private void waitForReadyEvent(DeviceContext context, Payload response) {
        if (!response.hasMetadata()) {
            return;
        }
        ByteBuf metadata = response.sliceMetadata();
        int at = HopLog.SERVER_STAMPS * Long.BYTES;
        if (metadata.readableBytes() != at + IpcEvents.HANDLE_BYTES) {
            return;
        }
        byte[] handle = new byte[IpcEvents.HANDLE_BYTES];
        metadata.getBytes(metadata.readerIndex() + at, handle);
        IpcEvents.waitOn(context, readyEvents.open(handle));
    }

    private void readServerStamps(Payload response) {
        if (!response.hasMetadata()) {
            return;
        }
        ByteBuf metadata = response.sliceMetadata();
        if (metadata.readableBytes() >= HopLog.SERVER_STAMPS * Long.BYTES) {
            for (int i = 0; i < HopLog.SERVER_STAMPS; i++) {
                hops.stamp(HopLog.SERVER_RECEIVED + i, metadata.getLongLE(metadata.readerIndex() + i * Long.BYTES));
            }
        }
    }

    /**
     * The hop stamps of this path's requests; the caller stamps {@link HopLog#returned()} after each score it
     * waited for. Not thread-safe: one request at a time.
     */
    HopLog hops() {
        return hops;
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
            if (keysReady != null) {
                IpcEvents.destroy(context, keysReady);
            }
            readyEvents.close();
            return null;
        }).join();
        dlrm.close();
        loop.ifPresent(l -> l.shutdownGracefully(0, 1, TimeUnit.SECONDS));
    }

    /** Whether the RSocket connection runs on a {@link SpinningEventLoop}. */
    public boolean spinningEventLoop() {
        return loop.isPresent();
    }
}
