package io.hps.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking RESP2 connection to a Redis server on loopback, for fixtures and for tests
 * that check what a tier wrote byte for byte. Replies: simple strings and bulk strings as
 * {@code byte[]}, integers as {@code Long}, arrays as {@code List<Object>}, nil as {@code null};
 * an error reply throws {@link IllegalStateException}. Not thread-safe.
 */
public final class RespConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code 127.0.0.1:port} with a connect and read timeout of {@code timeoutMillis}. */
    public static RespConnection open(int port, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            return new RespConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one command whose arguments are {@code String}s (UTF-8) or {@code byte[]}s and reads its reply. */
    public Object call(Object... arguments) {
        try {
            write(arguments);
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #call} whose reply is text. */
    public String callText(Object... arguments) {
        Object reply = call(arguments);
        return reply == null ? null : new String((byte[]) reply, StandardCharsets.UTF_8);
    }

    private void write(Object[] arguments) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        buffer.writeBytes(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (Object argument : arguments) {
            byte[] bytes = argument instanceof byte[] raw ? raw : argument.toString().getBytes(StandardCharsets.UTF_8);
            buffer.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            buffer.writeBytes(bytes);
            buffer.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(buffer.toByteArray());
        out.flush();
    }

    private Object read() throws IOException {
        int type = in.read();
        String line = readLine();
        return switch (type) {
            case '+' -> line.getBytes(StandardCharsets.UTF_8);
            case '-' -> throw new IllegalStateException("redis error reply: " + line);
            case ':' -> Long.parseLong(line);
            case '$' -> readBulk(Integer.parseInt(line));
            case '*' -> readArray(Integer.parseInt(line));
            default -> throw new IOException("unexpected RESP type: type=" + type + " line=" + line);
        };
    }

    private byte[] readBulk(int length) throws IOException {
        if (length < 0) {
            return null;
        }
        byte[] bytes = in.readNBytes(length);
        in.readNBytes(2);
        return bytes;
    }

    private List<Object> readArray(int length) throws IOException {
        if (length < 0) {
            return null;
        }
        List<Object> items = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            items.add(read());
        }
        return items;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\r'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed by redis");
            }
            line.write(b);
        }
        in.read();
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
