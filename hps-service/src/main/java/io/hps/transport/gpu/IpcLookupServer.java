package io.hps.transport.gpu;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.DeviceOwner;
import io.hps.gpu.GpuRuntime;
import io.hps.gpu.cache.TableOutcome;
import io.hps.gpu.ipc.IpcEvents;
import io.hps.gpu.ipc.IpcMemHandles;
import io.hps.gpu.ipc.OpenedHandles;
import io.hps.gpu.table.BatchStaging;
import io.hps.gpu.table.RowSource;
import io.hps.gpu.table.SeededRows;
import io.hps.gpu.table.StaticEmbeddingTable;
import io.hps.model.DlrmArchitecture;
import io.hps.model.TableSpec;
import io.hps.model.gen.GeneratorSettings;
import io.hps.transport.Endpoints;
import io.hps.transport.shm.ShmServerTransport;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpServer;

/**
 * The HPS side of the same-host GPU ensemble: every row in a static device table, a pool of device embedding
 * buffers ({@code [maxBatch, tables, dimension]} float32 each), and an RSocket request-response endpoint on
 * loopback TCP and, when {@link IpcLookupSettings#shmSocket()} is set, on shared memory (the same handler: a
 * shared-memory request is decoded on its connection's polling thread instead of the event loop). A request ({@link
 * HandleRequest}) names the client's device key buffer by its CUDA IPC handle (opened once); the lookup writes the next
 * pooled buffer and the response is a lookup response frame whose sample-major embedding section carries that buffer as
 * a {@link VectorHandle.CudaIpc}. No embedding byte leaves device memory.
 *
 * <p>Buffer reuse: buffers are handed out round-robin, so a client may hold at most {@code poolSize - 1} responses
 * while it sends the next request. A request carrying an interprocess event makes the stream wait for it (on the
 * device) before the query reads the keys; each client's event is opened once and reused.
 *
 * <p>When the vectors are ready: with {@code deviceReply} (the default) the server does not wait for its stream.
 * The query writes the zero vector for unknown keys itself, an interprocess event of the buffer is recorded after
 * it, and the response goes out at once with that event's handle after the stamps in its metadata; the client's
 * stream waits for the event on the device before reading the buffer. The response status is then OK whatever the
 * misses (they were not counted yet when it was sent). Without {@code deviceReply} the stream is synchronised, the
 * misses are zeroed, and the status says whether default vectors were used.
 *
 * <p>Threads: the request is decoded on the RSocket event loop, the lookup runs on the device's owner thread, and
 * the response is handed to RSocket from there. Each response's metadata carries four little-endian int64
 * {@link System#nanoTime()} stamps (received, lookup start, lookup done, reply sent) for {@link HopLog}.
 *
 * <p>Command line (the benchmark starts it in its own JVM): {@code --scale S --seed N --max-batch N --pool N
 * [--loop-spin-micros 2000] [--device-reply true] [--shm-socket PATH]}; prints
 * {@code ready port=P spinning loop=B device reply=B shm=PATH} once it serves, and stops when its standard input
 * closes.
 */
public final class IpcLookupServer implements AutoCloseable {

    private final DeviceOwner owner;
    private final DlrmArchitecture arch;
    private final StaticEmbeddingTable table;
    private final BatchStaging staging;
    private final OpenedHandles<CUdeviceptr> opened;
    private final OpenedHandles<CUevent> keyEvents;
    private final List<DeviceBuffer> pool;
    private final List<byte[]> poolHandles;
    private final CloseableChannel channel;
    private final ShmServerTransport.Server shm;
    private final Optional<EventLoopGroup> loop;
    private final List<CUevent> ready;
    private final List<byte[]> readyHandles;
    private int next;

    private IpcLookupServer(DeviceOwner owner, DlrmArchitecture arch, StaticEmbeddingTable table,
                            BatchStaging staging, OpenedHandles<CUdeviceptr> opened,
                            OpenedHandles<CUevent> keyEvents, List<DeviceBuffer> pool,
                            List<byte[]> poolHandles, List<CUevent> ready, List<byte[]> readyHandles,
                            IpcLookupSettings settings) {
        this.owner = owner;
        this.arch = arch;
        this.table = table;
        this.staging = staging;
        this.opened = opened;
        this.keyEvents = keyEvents;
        this.pool = pool;
        this.poolHandles = poolHandles;
        this.ready = ready;
        this.readyHandles = readyHandles;
        this.loop = settings.eventLoopSpinMicros() == 0 ? Optional.empty()
                : SpinningEventLoop.create("hps-ensemble-server", settings.eventLoopSpinMicros());
        TcpServer tcp = TcpServer.create().host(settings.host()).port(settings.port());
        RSocketServer rsocket = RSocketServer.create(SocketAcceptor.forRequestResponse(this::handle))
                .payloadDecoder(PayloadDecoder.ZERO_COPY);
        this.channel = rsocket.bind(TcpServerTransport.create(loop.map(tcp::runOn).orElse(tcp))).block();
        this.shm = settings.shmSocket() == null ? null
                : rsocket.bind(ShmServerTransport.create(settings.shmSocket(),
                        Endpoints.shmSettings(settings.eventLoopSpinMicros()))).block();
    }

    /**
     * Loads the table and the pool on {@code owner}'s device and starts listening on a free loopback port; with
     * {@code eventLoopSpinMicros > 0} the connection runs on a {@link SpinningEventLoop}; with {@code deviceReply}
     * responses go out before the lookup has run on the device (see the class comment).
     */
    public static IpcLookupServer start(DeviceOwner owner, DlrmArchitecture arch, RowSource rows, int maxBatchSize,
                                        int poolSize, long eventLoopSpinMicros, boolean deviceReply) {
        return start(owner, arch, rows, IpcLookupSettings.loopback(maxBatchSize, poolSize, eventLoopSpinMicros,
                deviceReply));
    }

    /**
     * Loads every row of {@code rows} into a static table on {@code owner}'s device, allocates and exports the
     * pool, and starts listening where {@code settings} say. Blocks until it listens: call it at start-up. Only
     * {@code arch}'s tables and embedding dimension are used ({@link #lookupShape} builds such an architecture
     * where the network is not known). {@code rows} is read during the call only.
     *
     * @throws io.hps.gpu.GpuException when the device refuses the table or the pool
     */
    public static IpcLookupServer start(DeviceOwner owner, DlrmArchitecture arch, RowSource rows,
                                        IpcLookupSettings settings) {
        int maxBatchSize = settings.maxBatchSize();
        boolean deviceReply = settings.deviceReply();
        return owner.submit(context -> {
            StaticEmbeddingTable table = StaticEmbeddingTable.load(context, arch.tables(), rows);
            BatchStaging staging = new BatchStaging(context, arch, maxBatchSize, false);
            long bytes = (long) maxBatchSize * arch.tableCount() * staging.rowBytes();
            List<DeviceBuffer> pool = new ArrayList<>();
            List<byte[]> handles = new ArrayList<>();
            List<CUevent> ready = new ArrayList<>();
            List<byte[]> readyHandles = new ArrayList<>();
            for (int i = 0; i < settings.poolSize(); i++) {
                DeviceBuffer b = context.allocate(bytes);
                pool.add(b);
                handles.add(IpcMemHandles.export(context, b));
                if (deviceReply) {
                    CUevent e = IpcEvents.create(context);
                    ready.add(e);
                    readyHandles.add(IpcEvents.export(context, e));
                }
            }
            return new DeviceParts(table, staging, OpenedHandles.memory(context), OpenedHandles.events(context), pool,
                    handles, ready, readyHandles);
        }).thenApply(p -> new IpcLookupServer(owner, arch, p.table(), p.staging(), p.opened(), p.keyEvents(), p.pool(),
                p.handles(), p.ready(), p.readyHandles(), settings)).join();
    }

    /**
     * An architecture that carries only what the lookup needs, for a server started from a ps.json entry: the
     * tables (one embedding dimension for all), one dense feature, and a one-layer network of that dimension that
     * is never run.
     *
     * @throws IllegalArgumentException when the tables' dimensions differ
     */
    public static DlrmArchitecture lookupShape(List<TableSpec> tables) {
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("an IPC lookup needs at least one table");
        }
        int dimension = tables.getFirst().dimension();
        return new DlrmArchitecture(1, tables, new int[] {dimension}, new int[] {1});
    }

    private record DeviceParts(StaticEmbeddingTable table, BatchStaging staging, OpenedHandles<CUdeviceptr> opened,
                               OpenedHandles<CUevent> keyEvents, List<DeviceBuffer> pool, List<byte[]> handles, List<CUevent> ready,
                               List<byte[]> readyHandles) {
    }

    /** Whether responses go out before the lookup has run on the device, with a ready event. */
    public boolean deviceReply() {
        return !ready.isEmpty();
    }

    /** The port it listens on. */
    public int port() {
        return channel.address().getPort();
    }

    /** The shared-memory endpoint's socket, or null when it listens on TCP only. */
    public Path shmSocket() {
        return shm == null ? null : shm.path();
    }

    private Mono<Payload> handle(Payload payload) {
        long received = System.nanoTime();
        HandleRequest request;
        try {
            request = HandleRequest.decode(payload.sliceData());
        } finally {
            payload.release();
        }
        ByteBuf metadata = ByteBufAllocator.DEFAULT.buffer(HopLog.SERVER_STAMPS * Long.BYTES + IpcEvents.HANDLE_BYTES)
                .writeLongLE(received);
        CompletableFuture<ByteBuf> frame = owner.submit(context -> lookup(context, request, metadata));
        frame.exceptionally(failure -> {
            metadata.release();
            return null;
        });
        return Mono.fromFuture(frame).map(f -> ByteBufPayload.create(f, withReplyStamp(metadata)));
    }

    /** Puts the reply stamp in its place, before the ready event's handle when there is one. */
    private static ByteBuf withReplyStamp(ByteBuf metadata) {
        metadata.setLongLE(HopLog.SERVER_STAMPS_BEFORE_REPLY * Long.BYTES, System.nanoTime());
        return metadata;
    }

    private ByteBuf lookup(DeviceContext context, HandleRequest request, ByteBuf metadata) {
        metadata.writeLongLE(System.nanoTime());
        int count = request.batch() * request.tables();
        int slot = next;
        next = (next + 1) % pool.size();
        DeviceBuffer out = pool.get(slot);
        if (request.event() != null) {
            IpcEvents.waitOn(context, keyEvents.open(request.event()));
        }
        LookupStatus status;
        if (deviceReply()) {
            table.enqueueQueryOrZero(opened.open(request.handle()), count, out.pointer(), staging);
            IpcEvents.record(context, ready.get(slot));
            metadata.writeLongLE(System.nanoTime()).writeLongLE(0).writeBytes(readyHandles.get(slot));
            status = LookupStatus.OK;
        } else {
            table.enqueueQuery(opened.open(request.handle()), count, out.pointer(), staging);
            context.synchronize();
            metadata.writeLongLE(System.nanoTime()).writeLongLE(0);
            TableOutcome outcome = staging.outcome();
            if (outcome.missed() > 0) {
                table.zeroMisses(context, staging, outcome.missed(), out.pointer());
            }
            status = outcome.missed() > 0 ? LookupStatus.DEFAULTS_USED : LookupStatus.OK;
        }
        long length = count * staging.rowBytes();
        EmbeddingBlock block = EmbeddingBlock.sampleMajor(VectorDtype.F32, request.batch(), request.tables(),
                arch.embeddingDimension()).withHandle(new VectorHandle.CudaIpc(poolHandles.get(slot),
                context.ordinal(), 0, length));
        ByteBuf frame = ByteBufAllocator.DEFAULT.buffer(LookupResponseEncoder.frameLength(block));
        LookupResponseEncoder.encode(frame, 0, status, block, null, null);
        return frame;
    }

    @Override
    public void close() {
        channel.dispose();
        if (shm != null) {
            shm.dispose();
        }
        owner.submit(context -> {
            context.synchronize();
            opened.close();
            keyEvents.close();
            ready.forEach(e -> IpcEvents.destroy(context, e));
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
        boolean deviceReply = true;
        Path shmSocket = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--scale" -> scale = Double.parseDouble(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--max-batch" -> maxBatch = Integer.parseInt(args[i + 1]);
                case "--pool" -> poolSize = Integer.parseInt(args[i + 1]);
                case "--loop-spin-micros" -> spinMicros = Long.parseLong(args[i + 1]);
                case "--device-reply" -> deviceReply = Boolean.parseBoolean(args[i + 1]);
                case "--shm-socket" -> shmSocket = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option: " + args[i]);
            }
        }
        DlrmArchitecture arch = new GeneratorSettings(Path.of("."), "dlrm", scale, 128, seed, 1, maxBatch)
                .architecture();
        try (IpcLookupServer server = start(GpuRuntime.device(0), arch, new SeededRows(arch.tables(), seed),
                IpcLookupSettings.loopback(maxBatch, poolSize, spinMicros, deviceReply).withShmSocket(shmSocket))) {
            System.out.println("ready port=" + server.port() + " spinning loop=" + server.loop.isPresent()
                    + " device reply=" + server.deviceReply() + " shm=" + server.shmSocket());
            System.out.flush();
            System.in.transferTo(OutputStream.nullOutputStream());
        }
        GpuRuntime.shutdown();
    }
}
