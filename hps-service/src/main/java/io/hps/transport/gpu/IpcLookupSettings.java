package io.hps.transport.gpu;

import java.nio.file.Path;

/**
 * Settings of an {@link IpcLookupServer}.
 *
 * @param host                 bind address; the handles it answers with open only on this host, so a loopback
 *                             address is the sensible one
 * @param port                 TCP port (0: any free port)
 * @param maxBatchSize         samples per request at most; sizes the key staging and every pooled buffer
 * @param poolSize             device embedding buffers handed out round-robin, at least 1; a client may hold at most
 *                             {@code poolSize - 1} responses while it sends the next request
 * @param eventLoopSpinMicros  microseconds the RSocket event loop polls after its last event before it sleeps
 *                             ({@link SpinningEventLoop}); 0 keeps reactor-netty's default loops
 * @param deviceReply          answer before the lookup has run on the device, with a ready event (see
 *                             {@link IpcLookupServer})
 * @param shmSocket            Unix domain socket where the server also listens over shared memory
 *                             ({@link io.hps.transport.shm.ShmServerTransport}, polling as long as the event loop);
 *                             null: TCP only
 */
public record IpcLookupSettings(String host, int port, int maxBatchSize, int poolSize, long eventLoopSpinMicros,
                                boolean deviceReply, Path shmSocket) {

    /** TCP only. */
    public IpcLookupSettings(String host, int port, int maxBatchSize, int poolSize, long eventLoopSpinMicros,
                             boolean deviceReply) {
        this(host, port, maxBatchSize, poolSize, eventLoopSpinMicros, deviceReply, null);
    }

    public IpcLookupSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("IPC lookup host must be set: host=" + host);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("IPC lookup port out of range: port=" + port);
        }
        if (maxBatchSize < 1 || poolSize < 1 || eventLoopSpinMicros < 0) {
            throw new IllegalArgumentException("IPC lookup settings out of range: maxBatchSize=" + maxBatchSize
                    + " poolSize=" + poolSize + " eventLoopSpinMicros=" + eventLoopSpinMicros);
        }
    }

    /** The benchmark's server: any free loopback port, spinning event loop, device reply. */
    public static IpcLookupSettings loopback(int maxBatchSize, int poolSize, long eventLoopSpinMicros,
                                             boolean deviceReply) {
        return new IpcLookupSettings("127.0.0.1", 0, maxBatchSize, poolSize, eventLoopSpinMicros, deviceReply);
    }

    /** These settings, also listening over shared memory at {@code socket}. */
    public IpcLookupSettings withShmSocket(Path socket) {
        return new IpcLookupSettings(host, port, maxBatchSize, poolSize, eventLoopSpinMicros, deviceReply, socket);
    }
}
