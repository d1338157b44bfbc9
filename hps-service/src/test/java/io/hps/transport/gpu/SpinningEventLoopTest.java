package io.hps.transport.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.DefaultPayload;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/** RSocket request-response over loopback with both sides on spinning epoll loops, while polling and after. */
class SpinningEventLoopTest {

    @Test
    void shouldServeRequestsWhilePollingAndAfterFallingAsleep() throws Exception {
        Optional<EventLoopGroup> serverLoop = SpinningEventLoop.create("test-spin-server", 500);
        Optional<EventLoopGroup> clientLoop = SpinningEventLoop.create("test-spin-client", 500);
        assumeTrue(serverLoop.isPresent() && clientLoop.isPresent(), "native epoll not available");
        Set<String> serverThreads = ConcurrentHashMap.newKeySet();
        CloseableChannel server = RSocketServer.create(SocketAcceptor.forRequestResponse(p -> {
            serverThreads.add(Thread.currentThread().getName());
            String text = p.getDataUtf8();
            p.release();
            return Mono.just(DefaultPayload.create("echo " + text));
        })).bind(TcpServerTransport.create(TcpServer.create().host("127.0.0.1").port(0).runOn(serverLoop.get())))
                .block();
        RSocket client = RSocketConnector.create().connect(TcpClientTransport.create(TcpClient.create()
                .host("127.0.0.1").port(server.address().getPort()).runOn(clientLoop.get()))).block();
        try {
            for (int i = 0; i < 200; i++) {
                assertThat(echo(client, "fast " + i)).isEqualTo("echo fast " + i);
            }
            for (int i = 0; i < 3; i++) {
                Thread.sleep(20);
                assertThat(echo(client, "after sleep " + i)).isEqualTo("echo after sleep " + i);
            }
            assertThat(serverThreads).allMatch(name -> name.startsWith("test-spin-server"));
        } finally {
            client.dispose();
            server.dispose();
            serverLoop.get().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            clientLoop.get().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static String echo(RSocket client, String text) {
        Payload reply = client.requestResponse(DefaultPayload.create(text)).block(Duration.ofSeconds(5));
        try {
            return reply.getDataUtf8();
        } finally {
            reply.release();
        }
    }

    @Test
    void shouldRejectANegativeSpin() {
        assertThatThrownBy(() -> SpinningEventLoop.create("x", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spinMicros=-1");
        assertThatThrownBy(() -> new EnsembleOptions(true, -5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eventLoopSpinMicros=-5");
    }
}
