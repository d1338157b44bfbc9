package io.hps.transport.shm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a shared-memory connection is laid out and polled.
 *
 * @param directory      where the connection's memory file is created (and unlinked once both sides mapped it);
 *                       {@code /dev/shm} where it exists, so the rings live in memory
 * @param ringBytes      bytes of each direction's ring, a power of two of at least 64 KiB; frames of any size
 *                       stream through it
 * @param spinMicros     how long a connection's I/O thread polls after its last frame before it sleeps (a sleeping
 *                       side is woken through the socket, which costs a system call on both sides)
 * @param maxFrameLength largest frame accepted; a longer one closes the connection as a protocol error
 */
public record ShmSettings(Path directory, int ringBytes, long spinMicros, int maxFrameLength) {
    /** Smallest ring. */
    public static final int MIN_RING_BYTES = 64 << 10;

    /** RSocket's frame length limit, as over TCP. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = (1 << 24) - 1;

    /**
     * 4 MiB rings, memory files in {@code /dev/shm} (else the temporary directory), and polling for 100 us where the
     * machine has at least {@value #MIN_CORES_TO_POLL} cores; on fewer, a polling thread takes a core the peer or the
     * caller needs (on 2 cores an echo took longer polling than sleeping), so the I/O thread sleeps at once.
     */
    public static final ShmSettings DEFAULTS = new ShmSettings(defaultDirectory(), 4 << 20,
            defaultSpinMicros(Runtime.getRuntime().availableProcessors()), DEFAULT_MAX_FRAME_LENGTH);

    public ShmSettings {
        if (ringBytes < MIN_RING_BYTES || Integer.bitCount(ringBytes) != 1) {
            throw new IllegalArgumentException("ring bytes must be a power of two of at least " + MIN_RING_BYTES
                    + ": " + ringBytes);
        }
        if (spinMicros < 0 || maxFrameLength < 1) {
            throw new IllegalArgumentException("invalid shared-memory settings: spinMicros=" + spinMicros
                    + " maxFrameLength=" + maxFrameLength);
        }
    }

    /** These settings polling for {@code micros} after the last frame. */
    public ShmSettings withSpinMicros(long micros) {
        return new ShmSettings(directory, ringBytes, micros, maxFrameLength);
    }

    /** These settings with rings of {@code bytes}. */
    public ShmSettings withRingBytes(int bytes) {
        return new ShmSettings(directory, bytes, spinMicros, maxFrameLength);
    }

    /** Cores a machine needs before the I/O threads poll by default. */
    public static final int MIN_CORES_TO_POLL = 4;

    /** The default polling time on a machine of {@code cores} cores: 100 us, or none below {@link #MIN_CORES_TO_POLL}. */
    public static long defaultSpinMicros(int cores) {
        return cores >= MIN_CORES_TO_POLL ? 100 : 0;
    }

    private static Path defaultDirectory() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
