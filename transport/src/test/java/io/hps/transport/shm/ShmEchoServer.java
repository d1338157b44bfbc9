package io.hps.transport.shm;

import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import java.io.OutputStream;
import java.nio.file.Path;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An RSocket echo server over shared memory: request-response answers with the request, request-stream with
 * {@code n} copies of it (n is the payload's first byte). Run as a program it serves the socket named by its only
 * argument, prints {@code ready} and stops when its standard input closes (the cross-process test's peer).
 */
final class ShmEchoServer {
    private ShmEchoServer() {
    }

    static ShmServerTransport.Server start(Path socket, ShmSettings settings, int mtu) {
        RSocket echo = new RSocket() {
            @Override
            public Mono<Payload> requestResponse(Payload payload) {
                return Mono.just(payload);
            }

            @Override
            public Flux<Payload> requestStream(Payload payload) {
                int copies = payload.data().getUnsignedByte(0);
                return Flux.range(0, copies).map(i -> payload.retain())
                        .doFinally(s -> payload.release());
            }
        };
        RSocketServer server = RSocketServer.create(SocketAcceptor.with(echo)).payloadDecoder(PayloadDecoder.ZERO_COPY);
        if (mtu > 0) {
            server.fragment(mtu);
        }
        return server.bind(ShmServerTransport.create(socket, settings)).block();
    }

    public static void main(String[] args) throws Exception {
        ShmServerTransport.Server server = start(Path.of(args[0]), ShmSettings.DEFAULTS, 0);
        System.out.println("ready");
        System.out.flush();
        System.in.transferTo(OutputStream.nullOutputStream());
        server.dispose();
    }
}
