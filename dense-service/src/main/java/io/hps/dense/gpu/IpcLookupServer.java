package io.hps.dense.gpu;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.cache.TableOutcome;
import io.hps.gpu.ipc.IpcEvents;
import io.hps.gpu.ipc.IpcMemHandles;
import io.hps.gpu.ipc.OpenedHandles;
import io.hps.model.DlrmArchitecture;
import io.hps.model.gen.GeneratorSettings;
import io.hps.wire.EmbeddingBlock;
import io.hps.wire.LookupResponseEncoder;
import io.hps.wire.LookupStatus;
import io.hps.wire.VectorDtype;
import io.hps.wire.VectorHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.rsocket.Payload;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.ByteBufPayload;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jcuda.driver.CUevent;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpServer;

/**
 * The HPS side of the same-host GPU ensemble: every row in a static device table, a pool of device embedding
 * buffers ({@code [maxBatch, tables, dimension]} float32 each), and an RSocket request-response endpoint on
 * loopback. A request ({@link HandleRequest}) names the client's device key buffer by its CUDA IPC handle (opened
 * once); the lookup writes the next pooled buffer and the response is a lookup response frame whose sample-major
 * embedding section carries that buffer as a {@link VectorHandle.CudaIpc}. No embedding byte leaves device memory.
 *
 * <p>Buffer reuse: buffers are handed out round-robin, so a client may hold at most {@code poolSize - 1} responses
 * while it sends the next request; the stream is synchronised before each response, so the vectors are complete
 * when the client reads them. A request carrying an interprocess event makes the stream wait for it (on the
 * device) before the query reads the keys; the last event opened is kept and reused while requests name it.
 *
 * <p>Threads: the request is decoded on the RSocket event loop, the lookup runs on the device's owner thread, and
 * the response is handed to RSocket from there. Each response's metadata carries four little-endian int64
 * {@link System#nanoTime()} stamps (received, lookup start, lookup done, reply sent) for {@link HopLog}.
 *
 * <p>Command line (the benchmark starts it in its own JVM): {@code --scale S --seed N --max-batch N --pool N
 * [--loop-spin-micros 2000]}; prints {@code ready port=P spinning loop=B} once it serves, and stops when its standard input closes.
 */
public final class IpcLookupServer implements AutoCloseable {

    private final DeviceOwner owner;
    private final DlrmArchitecture arch;
    private final StaticEmbeddingTable table;
    private final BatchStaging staging;
    private final OpenedHandles opened;
    private final List<DeviceBuffer> pool;
    private final List<byte[]> poolHandles;
    private final CloseableChannel channel;
    private final Optional<EventLoopGroup> loop;
    private int next;
    private byte[] eventHandle;
    private CUevent event;

    private IpcLookupServer(DeviceOwner owner, DlrmArchitecture arch, StaticEmbeddingTable table,
                            BatchStaging staging, OpenedHandles opened, List<DeviceBuffer> pool,
                            List<byte[]> poolHandles, long eventLoopSpinMicros) {
        this.owner = owner;
        this.arch = arch;
        this.table = table;
        this.staging = staging;
        this.opened = opened;
        this.pool = pool;
        this.poolHandles = poolHandles;
        this.loop = eventLoopSpinMicros == 0 ? Optional.empty()
                : SpinningEventLoop.create("hps-ensemble-server", eventLoopSpinMicros);
        TcpServer tcp = TcpServer.create().host("127.0.0.1").port(0);
        this.channel = RSocketServer.create(SocketAcceptor.forRequestResponse(this::handle))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .bind(TcpServerTransport.create(loop.map(tcp::runOn).orElse(tcp))).block();
    }

    /**
     * Loads the table and the pool on {@code owner}'s device and starts listening on a free loopback port; with
     * {@code eventLoopSpinMicros > 0} the connection runs on a {@link SpinningEventLoop}.
     */
    public static IpcLookupServer start(DeviceOwner owner, DlrmArchitecture arch, RowSource rows, int maxBatchSize,
                                        int poolSize, long eventLoopSpinMicros) {
        return owner.submit(context -> {
            StaticEmbeddingTable table = StaticEmbeddingTable.load(context, arch.tables(), rows);
            BatchStaging staging = new BatchStaging(context, arch, maxBatchSize, false);
            long bytes = (long) maxBatchSize * arch.tableCount() * staging.rowBytes();
            List<DeviceBuffer> pool = new ArrayList<>();
            List<byte[]> handles = new ArrayList<>();
            for (int i = 0; i < poolSize; i++) {
                DeviceBuffer b = context.allocate(bytes);
                pool.add(b);
                handles.add(IpcMemHandles.export(context, b));
            }
            return new DeviceParts(table, staging, new OpenedHandles(context), pool, handles);
        }).thenApply(p -> new IpcLookupServer(owner, arch, p.table(), p.staging(), p.opened(), p.pool(),
                p.handles(), eventLoopSpinMicros)).join();
    }

    private record DeviceParts(StaticEmbeddingTable table, BatchStaging staging, OpenedHandles opened,
                               List<DeviceBuffer> pool, List<byte[]> handles) {
    }

    /** The loopback port it listens on. */
    public int port() {
        return channel.address().getPort();
    }

    private Mono<Payload> handle(Payload payload) {
        long received = System.nanoTime();
        HandleRequest request;
        try {
            request = HandleRequest.decode(payload.sliceData());
        } finally {
            payload.release();
        }
        ByteBuf stamps = ByteBufAllocator.DEFAULT.buffer(HopLog.SERVER_STAMPS * Long.BYTES).writeLongLE(received);
        CompletableFuture<ByteBuf> frame = owner.submit(context -> lookup(context, request, stamps));
        frame.exceptionally(failure -> {
            stamps.release();
            return null;
        });
        return Mono.fromFuture(frame).map(f -> ByteBufPayload.create(f, stamps.writeLongLE(System.nanoTime())));
    }

    private ByteBuf lookup(DeviceContext context, HandleRequest request, ByteBuf stamps) {
        stamps.writeLongLE(System.nanoTime());
        int count = request.batch() * request.tables();
        int slot = next;
        next = (next + 1) % pool.size();
        DeviceBuffer out = pool.get(slot);
        if (request.event() != null) {
            IpcEvents.waitOn(context, keysEvent(context, request.event()));
        }
        table.enqueueQuery(opened.pointer(request.handle()), count, out.pointer(), staging);
        context.synchronize();
        stamps.writeLongLE(System.nanoTime());
        TableOutcome outcome = staging.outcome();
        if (outcome.missed() > 0) {
            table.zeroMisses(context, staging, outcome.missed(), out.pointer());
        }
        long length = count * staging.rowBytes();
        EmbeddingBlock block = EmbeddingBlock.sampleMajor(VectorDtype.F32, request.batch(), request.tables(),
                arch.embeddingDimension()).withHandle(new VectorHandle.CudaIpc(poolHandles.get(slot),
                context.ordinal(), 0, length));
        ByteBuf frame = ByteBufAllocator.DEFAULT.buffer(LookupResponseEncoder.frameLength(block));
        LookupResponseEncoder.encode(frame, 0, outcome.missed() > 0 ? LookupStatus.DEFAULTS_USED : LookupStatus.OK,
                block, null, null);
        return frame;
    }

    private CUevent keysEvent(DeviceContext context, byte[] handle) {
        if (!Arrays.equals(handle, eventHandle)) {
            if (event != null) {
                IpcEvents.destroy(context, event);
            }
            event = IpcEvents.open(context, handle);
            eventHandle = handle;
        }
        return event;
    }

    @Override
    public void close() {
        channel.dispose();
        owner.submit(context -> {
            context.synchronize();
            opened.close();
            if (event != null) {
                IpcEvents.destroy(context, event);
            }
            pool.forEach(DeviceBuffer::close);
            table.close();
            staging.close();
            return null;
        }).join();
        loop.ifPresent(l -> l.shutdownGracefully(0, 1, TimeUnit.SECONDS));
    }

    public static void main(String[] args) throws Exception {
        double scale = 1.0;
        long seed = 42;
        int maxBatch = 131072;
        int poolSize = 2;
        long spinMicros = EnsembleOptions.DEFAULTS.eventLoopSpinMicros();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--scale" -> scale = Double.parseDouble(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--max-batch" -> maxBatch = Integer.parseInt(args[i + 1]);
                case "--pool" -> poolSize = Integer.parseInt(args[i + 1]);
                case "--loop-spin-micros" -> spinMicros = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        DlrmArchitecture arch = new GeneratorSettings(Path.of("."), "dlrm", scale, 128, seed, 1, maxBatch)
                .architecture();
        try (IpcLookupServer server = start(GpuRuntime.device(0), arch, new SeededRows(arch.tables(), seed),
                maxBatch, poolSize, spinMicros)) {
            System.out.println("ready port=" + server.port() + " spinning loop=" + server.loop.isPresent());
            System.out.flush();
            System.in.transferTo(OutputStream.nullOutputStream());
        }
        GpuRuntime.shutdown();
    }
}
