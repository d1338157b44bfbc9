package io.hps.transport.shm;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What the two sides say on the Unix domain socket before the rings take over (big-endian): the server sends
 * {@code magic, version, ring bytes, path length, path (UTF-8)} naming the memory file it created; the client maps
 * that file and answers one byte, {@link #ACK}; the server then unlinks the file, which lives on only in the two
 * mappings.
 */
final class Handshake {
    static final int MAGIC = 0x4850_5353; // "HPSS"
    static final byte ACK = 'A';
    private static final int MAX_PATH_BYTES = 4096;

    /** The memory file's path and ring size, as the server announced them. */
    record Hello(Path file, int ringBytes) {
    }

    private Handshake() {
    }

    static void sendHello(SocketChannel socket, Path file, int ringBytes) throws IOException {
        byte[] path = file.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer hello = ByteBuffer.allocate(16 + path.length).putInt(MAGIC).putInt(ShmFile.VERSION)
                .putInt(ringBytes).putInt(path.length).put(path).flip();
        while (hello.hasRemaining()) {
            socket.write(hello);
        }
    }

    static Hello readHello(SocketChannel socket) throws IOException {
        ByteBuffer head = readFully(socket, 16);
        int magic = head.getInt();
        int version = head.getInt();
        int ringBytes = head.getInt();
        int pathBytes = head.getInt();
        if (magic != MAGIC || version != ShmFile.VERSION) {
            throw new IOException("not a shared-memory RSocket server: magic=" + Integer.toHexString(magic)
                    + " version=" + version);
        }
        if (pathBytes < 1 || pathBytes > MAX_PATH_BYTES || ringBytes < ShmSettings.MIN_RING_BYTES
                || Integer.bitCount(ringBytes) != 1) {
            throw new IOException("bad shared-memory handshake: path bytes=" + pathBytes + " ring bytes=" + ringBytes);
        }
        ByteBuffer path = readFully(socket, pathBytes);
        return new Hello(Path.of(StandardCharsets.UTF_8.decode(path).toString()), ringBytes);
    }

    static void sendAck(SocketChannel socket) throws IOException {
        ByteBuffer ack = ByteBuffer.wrap(new byte[] {ACK});
        while (ack.hasRemaining()) {
            socket.write(ack);
        }
    }

    static void readAck(SocketChannel socket) throws IOException {
        byte ack = readFully(socket, 1).get();
        if (ack != ACK) {
            throw new IOException("bad shared-memory handshake acknowledgement: " + ack);
        }
    }

    /** Reads exactly {@code length} bytes from a blocking socket. */
    private static ByteBuffer readFully(SocketChannel socket, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (socket.read(buffer) < 0) {
                throw new EOFException("shared-memory handshake: the peer closed after " + buffer.position()
                        + " of " + length + " bytes");
            }
        }
        return buffer.flip();
    }
}
