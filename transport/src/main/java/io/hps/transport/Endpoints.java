package io.hps.transport;

import io.hps.transport.shm.ShmClientTransport;
import io.hps.transport.shm.ShmSettings;
import io.hps.transport.tcp.FrameTransports;
import io.rsocket.transport.ClientTransport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * Where a service listens, as its configuration writes it: {@code host:port} for RSocket over TCP, or
 * {@code shm:/path/to/socket} for RSocket over shared memory with a process of the same host (the Unix domain socket
 * of a {@link io.hps.transport.shm.ShmServerTransport}). In code a TCP endpoint is an {@link InetSocketAddress} and a
 * shared-memory one a {@link UnixDomainSocketAddress}.
 */
public final class Endpoints {
    /** Prefix of a shared-memory endpoint. */
    public static final String SHM = "shm:";

    /**
     * System property: microseconds a shared-memory connection polls after its last frame (default:
     * {@link ShmSettings#DEFAULTS}).
     */
    public static final String SHM_SPIN_PROPERTY = "hps.shm.spin-micros";

    private Endpoints() {
    }

    /**
     * Parses {@code text} ({@code host:port} or {@code shm:/absolute/path}); a TCP host is left unresolved.
     *
     * @throws IllegalArgumentException naming {@code property} and the entry when it is neither
     */
    public static SocketAddress parse(String property, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(property + " entry is empty");
        }
        if (text.startsWith(SHM)) {
            Path path = Path.of(text.substring(SHM.length()));
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException(property + " entry is not shm:/absolute/path: entry=" + text);
            }
            return UnixDomainSocketAddress.of(path);
        }
        int colon = text.lastIndexOf(':');
        try {
            if (colon < 1) {
                throw new NumberFormatException("no port");
            }
            return InetSocketAddress.createUnresolved(text.substring(0, colon),
                    Integer.parseInt(text.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " entry is neither host:port nor shm:/path: entry=" + text,
                    e);
        }
    }

    /** The endpoint as configuration writes it. */
    public static String format(SocketAddress address) {
        return switch (address) {
            case InetSocketAddress inet -> inet.getHostString() + ":" + inet.getPort();
            case UnixDomainSocketAddress unix -> SHM + unix.getPath();
            default -> address.toString();
        };
    }

    /** Whether {@code address} is a shared-memory endpoint. */
    public static boolean sharedMemory(SocketAddress address) {
        return address instanceof UnixDomainSocketAddress;
    }

    /** The shared-memory settings of this process: the defaults, polling as {@value #SHM_SPIN_PROPERTY} says. */
    public static ShmSettings shmSettings() {
        return ShmSettings.DEFAULTS.withSpinMicros(Long.getLong(SHM_SPIN_PROPERTY,
                ShmSettings.DEFAULTS.spinMicros()));
    }

    /** This process's shared-memory settings polling for {@code spinMicros}, or as {@link #shmSettings()} for 0. */
    public static ShmSettings shmSettings(long spinMicros) {
        return spinMicros == 0 ? shmSettings() : shmSettings().withSpinMicros(spinMicros);
    }

    /** A client transport to {@code address}: {@link FrameTransports#client} or shared memory. */
    public static ClientTransport client(SocketAddress address) {
        return client(address, shmSettings());
    }

    /** As {@link #client(SocketAddress)}, with {@code shm} for a shared-memory endpoint. */
    public static ClientTransport client(SocketAddress address, ShmSettings shm) {
        return switch (address) {
            case InetSocketAddress inet -> FrameTransports.client(inet);
            case UnixDomainSocketAddress unix -> ShmClientTransport.create(unix, shm);
            default -> throw new IllegalArgumentException("unsupported endpoint: " + address);
        };
    }
}
