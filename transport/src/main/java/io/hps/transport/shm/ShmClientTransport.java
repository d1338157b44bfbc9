package io.hps.transport.shm;

import io.rsocket.DuplexConnection;
import io.rsocket.transport.ClientTransport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Connects to a {@link ShmServerTransport} of this host through its Unix domain socket and maps the memory file
 * the server announces. The ring size is the server's; the polling and the frame limit are this side's settings.
 * The connect (a few blocking socket calls) runs on Reactor's bounded elastic scheduler.
 */
public final class ShmClientTransport implements ClientTransport {
    private final UnixDomainSocketAddress address;
    private final ShmSettings settings;

    private ShmClientTransport(UnixDomainSocketAddress address, ShmSettings settings) {
        this.address = address;
        this.settings = settings;
    }

    public static ShmClientTransport create(Path socket, ShmSettings settings) {
        return new ShmClientTransport(UnixDomainSocketAddress.of(socket), settings);
    }

    public static ShmClientTransport create(UnixDomainSocketAddress socket, ShmSettings settings) {
        return new ShmClientTransport(socket, settings);
    }

    @Override
    public Mono<DuplexConnection> connect() {
        return Mono.<DuplexConnection>fromCallable(this::open).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public int maxFrameLength() {
        return settings.maxFrameLength();
    }

    private ShmConnection open() throws IOException {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        ShmFile file = null;
        try {
            socket.connect(address);
            Handshake.Hello hello = Handshake.readHello(socket);
            file = ShmFile.open(hello.file(), hello.ringBytes());
            Handshake.sendAck(socket);
            return new ShmConnection(file, ShmFile.CLIENT, socket, address,
                    settings.withRingBytes(hello.ringBytes()));
        } catch (IOException | RuntimeException e) {
            if (file != null) {
                file.close();
            }
            socket.close();
            throw new IOException("cannot connect over shared memory to " + address.getPath() + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public String toString() {
        return "shm:" + address.getPath();
    }
}
