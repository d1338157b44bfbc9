package io.hps.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process on a free loopback port, for tests. The binary is the
 * {@code redis-server} on {@code PATH} if there is one, else the Linux binary shipped inside the
 * {@code com.github.codemonstur:embedded-redis} jar (a class-path resource such as
 * {@code /redis-server-6.2.6-v5-linux-amd64}), extracted once per JVM into {@code java.io.tmpdir}
 * and deleted at exit. No persistence; its log goes to {@code redis.log} in its own temporary
 * directory, deleted by {@link #close()}. Servers still running when the JVM exits are killed by a
 * shutdown hook.
 *
 * <p>{@link #kill()} and {@link #restart()} let fault tests take the server away and bring it back
 * on the same port. Not thread-safe: one test thread drives it.
 */
public final class RedisProcess implements AutoCloseable {
    /** System property that chooses the server binary: a path, or {@code embedded}. */
    public static final String BINARY_PROPERTY = "hps.test.redis-server";
    private static final long START_TIMEOUT_MILLIS = 10_000;
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static Path binary;
    private static Path embedded;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
    }

    private final Path binaryPath;
    private final int port;
    private final Path directory;
    private final List<String> extraArguments;
    private Process process;

    private RedisProcess(Path binaryPath, int port, Path directory, List<String> extraArguments) {
        this.binaryPath = binaryPath;
        this.port = port;
        this.directory = directory;
        this.extraArguments = List.copyOf(extraArguments);
    }

    /** Starts a standalone server and waits until it answers PING. */
    public static RedisProcess start() {
        return start(List.of());
    }

    /** Starts a server with extra {@code --option value} arguments and waits until it answers PING. */
    public static RedisProcess start(List<String> extraArguments) {
        return start(serverBinary(), extraArguments);
    }

    /** Starts {@code binary} with extra arguments and waits until it answers PING. */
    public static RedisProcess start(Path binary, List<String> extraArguments) {
        try {
            RedisProcess redis = new RedisProcess(binary, freePort(), Files.createTempDirectory(temporaryRoot(), "redis-"),
                    extraArguments);
            redis.launch();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The loopback port the server listens on. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Whether the process is running. */
    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Kills the server with SIGKILL (no shutdown, no goodbye to clients) and waits for it to exit. */
    public void kill() {
        if (process == null) {
            return;
        }
        if (process.isAlive()) {
            thaw();
        }
        process.destroyForcibly();
        RUNNING.remove(process);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Stops the server with SIGSTOP: its connections stay open but nothing is answered until {@link #thaw()}. */
    public void freeze() {
        signal("-STOP");
    }

    /** Resumes a server stopped by {@link #freeze()} (SIGCONT). */
    public void thaw() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill failed: signal=" + signal + " pid=" + process.pid());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling redis-server", e);
        }
    }

    /** Starts the server again on the same port (after {@link #kill()}), empty, and waits until it answers PING. */
    public void restart() {
        kill();
        launch();
    }

    /** Kills the server and deletes its directory. */
    @Override
    public void close() {
        kill();
        try (var files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("redis directory could not be deleted: directory=" + directory, e);
        }
    }

    /**
     * The {@code java.io.tmpdir} system property as set now (the build points it at
     * {@code target/tmp}); {@link Files#createTempDirectory(String, java.nio.file.attribute.FileAttribute[])}
     * would use the value cached at JVM start.
     */
    private static Path temporaryRoot() throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(binaryPath.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--protected-mode", "no",
                "--save", "", "--appendonly", "no", "--dir", directory.toString()));
        command.addAll(extraArguments);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("redis.log").toFile()))
                    .start();
            RUNNING.add(process);
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server did not start: command=" + command, e);
        }
        awaitPong();
    }

    private void awaitPong() {
        long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (System.nanoTime() < giveUpAt) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: port=" + port + " log=" + log());
            }
            try (RespConnection connection = RespConnection.open(port, 500)) {
                if ("PONG".equals(connection.callText("PING"))) {
                    return;
                }
            } catch (IOException | UncheckedIOException | IllegalStateException e) {
                pause();
            }
        }
        throw new IllegalStateException("redis-server did not answer PING: port=" + port + " log=" + log());
    }

    private String log() {
        try {
            return Files.readString(directory.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A free loopback port whose cluster bus port ({@code port + 10000}) is free too. */
    static int freePort() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, loopback)) {
                int port = socket.getLocalPort();
                if (port + 10000 < 65536 && bindable(port + 10000, loopback)) {
                    return port;
                }
            }
        }
        throw new IOException("no free loopback port pair found");
    }

    private static boolean bindable(int port, InetAddress loopback) {
        try (ServerSocket ignored = new ServerSocket(port, 1, loopback)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The {@code redis-server} binary: the system property {@value #BINARY_PROPERTY} if set (a path,
     * or {@code embedded} for the embedded-redis binary), else {@code redis-server} from {@code PATH},
     * else the embedded-redis binary.
     */
    public static synchronized Path serverBinary() {
        if (binary == null) {
            String chosen = System.getProperty(BINARY_PROPERTY, "");
            if (chosen.equals("embedded")) {
                binary = embeddedBinary();
            } else if (!chosen.isEmpty()) {
                binary = Path.of(chosen);
            } else {
                Path installed = onPath("redis-server");
                binary = installed != null ? installed : embeddedBinary();
            }
        }
        return binary;
    }

    /** The Linux binary of the embedded-redis jar, extracted once per JVM. */
    public static synchronized Path embeddedBinary() {
        if (embedded == null) {
            embedded = extractEmbedded();
        }
        return embedded;
    }

    /** The executable {@code name} on {@code PATH}, or null. */
    static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String entry : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(entry, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static Path extractEmbedded() {
        String resource = embeddedResourceName();
        try (InputStream in = RedisProcess.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("embedded redis binary not on class path: resource=" + resource);
            }
            Path target = Files.createTempFile(temporaryRoot(), "redis-server-", "");
            target.toFile().deleteOnExit();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("embedded redis binary could not be extracted: resource=" + resource, e);
        }
    }

    private static String embeddedResourceName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            throw new IllegalStateException("no embedded redis binary for this OS: os=" + os + " arch=" + arch);
        }
        return switch (arch) {
            case "amd64", "x86_64" -> "/redis-server-6.2.6-v5-linux-amd64";
            case "aarch64", "arm64" -> "/redis-server-6.2.7-linux-arm64";
            default -> throw new IllegalStateException("no embedded redis binary for this CPU: arch=" + arch);
        };
    }
}
