package io.hps.transport.shm;

import io.rsocket.transport.ServerTransport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * An RSocket server transport for clients on the same host: it listens on a Unix domain socket and gives every
 * client that connects its own pair of rings in a fresh memory file ({@link ShmConnection}). A socket file left at
 * the path by an earlier process is replaced; any other file there is an error.
 */
public final class ShmServerTransport implements ServerTransport<ShmServerTransport.Server> {
    private static final Logger log = LoggerFactory.getLogger(ShmServerTransport.class);
    private static final AtomicLong FILES = new AtomicLong();
    /** How long a client may take to acknowledge the handshake. */
    private static final long HANDSHAKE_SECONDS = 10;

    private final Path socket;
    private final ShmSettings settings;

    private ShmServerTransport(Path socket, ShmSettings settings) {
        this.socket = socket;
        this.settings = settings;
    }

    public static ShmServerTransport create(Path socket, ShmSettings settings) {
        return new ShmServerTransport(socket, settings);
    }

    @Override
    public Mono<Server> start(ConnectionAcceptor acceptor) {
        return Mono.fromCallable(() -> Server.bind(socket, settings, acceptor));
    }

    @Override
    public int maxFrameLength() {
        return settings.maxFrameLength();
    }

    /** A listening server; disposing it stops listening, removes the socket file and closes its connections. */
    public static final class Server implements io.rsocket.Closeable {
        private final Path path;
        private final ServerSocketChannel channel;
        private final ShmSettings settings;
        private final ConnectionAcceptor acceptor;
        private final Set<ShmConnection> connections = ConcurrentHashMap.newKeySet();
        private final Sinks.Empty<Void> closed = Sinks.empty();
        private final AtomicBoolean disposed = new AtomicBoolean();

        private Server(Path path, ServerSocketChannel channel, ShmSettings settings, ConnectionAcceptor acceptor) {
            this.path = path;
            this.channel = channel;
            this.settings = settings;
            this.acceptor = acceptor;
        }

        static Server bind(Path path, ShmSettings settings, ConnectionAcceptor acceptor) throws IOException {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                    throw new IOException("cannot listen on " + path + ": a file that is not a socket is there");
                }
                Files.delete(path);
            }
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.bind(UnixDomainSocketAddress.of(path));
            } catch (IOException e) {
                channel.close();
                throw new IOException("cannot listen on " + path + ": " + e.getMessage(), e);
            }
            Server server = new Server(path, channel, settings, acceptor);
            Thread.ofPlatform().daemon().name("hps-shm-accept-" + path.getFileName()).start(server::accept);
            return server;
        }

        /** The socket clients connect to. */
        public Path path() {
            return path;
        }

        /** Connections open now. */
        public int connections() {
            return connections.size();
        }

        private void accept() {
            while (!disposed.get()) {
                try {
                    SocketChannel client = channel.accept();
                    Thread.ofVirtual().name("hps-shm-handshake").start(() -> handshake(client));
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    if (!disposed.get()) {
                        log.warn("accept on {} failed", path, e);
                    }
                }
            }
        }

        private void handshake(SocketChannel client) {
            Path file = settings.directory().resolve("hps-shm-" + ProcessHandle.current().pid() + "-"
                    + FILES.incrementAndGet() + ".ring");
            ShmFile memory = null;
            CompletableFuture<Void> done = new CompletableFuture<>();
            CompletableFuture.delayedExecutor(HANDSHAKE_SECONDS, TimeUnit.SECONDS).execute(() -> {
                if (!done.isDone()) {
                    closeQuietly(client);
                }
            });
            try {
                memory = ShmFile.create(file, settings.ringBytes());
                Handshake.sendHello(client, file, settings.ringBytes());
                Handshake.readAck(client);
                done.complete(null);
                Files.deleteIfExists(file);
                ShmConnection connection = new ShmConnection(memory, ShmFile.SERVER, client,
                        UnixDomainSocketAddress.of(path), settings);
                memory = null;
                connections.add(connection);
                connection.onClose().doFinally(s -> connections.remove(connection)).subscribe();
                if (disposed.get()) {
                    connection.dispose();
                    return;
                }
                acceptor.apply(connection).subscribe(null, e -> {
                    log.warn("RSocket set-up over shared memory failed on {}", path, e);
                    connection.dispose();
                });
            } catch (IOException | RuntimeException e) {
                done.complete(null);
                if (!disposed.get()) {
                    log.warn("shared-memory handshake on {} failed: {}", path, e.toString());
                }
                if (memory != null) {
                    memory.close();
                }
                closeQuietly(client);
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }

        private static void closeQuietly(SocketChannel client) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public Mono<Void> onClose() {
            return closed.asMono();
        }

        @Override
        public void dispose() {
            if (!disposed.compareAndSet(false, true)) {
                return;
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // best effort
            }
            connections.forEach(ShmConnection::dispose);
            closed.tryEmitEmpty();
        }

        @Override
        public boolean isDisposed() {
            return disposed.get();
        }
    }
}
