package io.hps.transport.tcp;

import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.TcpServerTransport;
import java.net.InetSocketAddress;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * RSocket TCP transports for the services' binary frames: RSocket's own, with a
 * {@link FrameAssembler} in front of its length decoder on every connection so that large frames
 * arrive in one buffer of their size, copied once, from {@link FrameBuffers#SHARED}.
 */
public final class FrameTransports {
    /** RSocket's TCP frame length limit: a 3-byte length. */
    public static final int MAX_FRAME_LENGTH = (1 << 24) - 1;

    private FrameTransports() {
    }

    /** A client transport to {@code address}. */
    public static TcpClientTransport client(InetSocketAddress address) {
        return client(TcpClient.create().remoteAddress(() -> address));
    }

    /** A client transport over {@code tcp} (which names the address and may set loops or options). */
    public static TcpClientTransport client(TcpClient tcp) {
        return TcpClientTransport.create(tcp.doOnConnected(FrameTransports::install), MAX_FRAME_LENGTH);
    }

    /** A server transport bound to {@code host:port}. */
    public static TcpServerTransport server(String host, int port) {
        return server(TcpServer.create().host(host).port(port));
    }

    /** A server transport over {@code tcp} (which names the address and may set loops or options). */
    public static TcpServerTransport server(TcpServer tcp) {
        return TcpServerTransport.create(tcp.doOnConnection(FrameTransports::install), MAX_FRAME_LENGTH);
    }

    /** Adds the assembler; the transport adds RSocket's length decoder after it. */
    private static void install(Connection connection) {
        connection.addHandlerLast("hps.frameAssembler", new FrameAssembler(FrameBuffers.SHARED, MAX_FRAME_LENGTH));
    }
}
