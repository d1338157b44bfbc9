package io.hps.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hps.transport.shm.ShmClientTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;

/** Endpoints as configuration writes them: TCP host:port or a shared-memory socket path. */
class EndpointsTest {

    @Test
    void shouldParseAndFormatBothKinds() {
        assertThat(Endpoints.parse("p", "hps-service:9100")).isEqualTo(InetSocketAddress.createUnresolved("hps-service",
                9100));
        assertThat(Endpoints.parse("p", "shm:/dev/shm/hps/lookup.sock"))
                .isEqualTo(UnixDomainSocketAddress.of("/dev/shm/hps/lookup.sock"));
        for (String text : new String[] {"hps-service:9100", "shm:/dev/shm/hps/lookup.sock", "[::1]:9100"}) {
            assertThat(Endpoints.format(Endpoints.parse("p", text))).isEqualTo(text);
        }
    }

    @Test
    void shouldPickTheTransportByKind() {
        assertThat(Endpoints.client(Endpoints.parse("p", "127.0.0.1:9100"))).isInstanceOf(TcpClientTransport.class);
        assertThat(Endpoints.client(Endpoints.parse("p", "shm:/tmp/x.sock"))).isInstanceOf(ShmClientTransport.class);
        assertThat(Endpoints.sharedMemory(Endpoints.parse("p", "shm:/tmp/x.sock"))).isTrue();
    }

    @Test
    void shouldNameThePropertyAndEntryWhenNeitherKind() {
        assertThatThrownBy(() -> Endpoints.parse("dense.hps-replicas", "hps-service"))
                .hasMessage("dense.hps-replicas entry is neither host:port nor shm:/path: entry=hps-service");
        assertThatThrownBy(() -> Endpoints.parse("dense.hps-replicas", "hps-service:http"))
                .hasMessageContaining("entry=hps-service:http");
        assertThatThrownBy(() -> Endpoints.parse("dense.hps-replicas", "shm:lookup.sock"))
                .hasMessage("dense.hps-replicas entry is not shm:/absolute/path: entry=shm:lookup.sock");
        assertThatThrownBy(() -> Endpoints.parse("dense.hps-replicas", " "))
                .hasMessage("dense.hps-replicas entry is empty");
    }
}
