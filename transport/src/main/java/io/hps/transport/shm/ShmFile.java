package io.hps.transport.shm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The memory file one connection shares: a header page, one control page per direction and the two rings.
 * Every counter is a little-endian int64 on its own 128-byte line.
 * <pre>
 *  0        header: magic, version, ring bytes
 *  512      side 0 (client) flags: sleeping +0, wants space +128, closed +256
 *  1024     side 1 (server) flags: the same
 *  4096     ring 0 (client to server) control: tail +0 (bytes written), head +128 (bytes read)
 *  8192     ring 1 (server to client) control
 *  12288    ring 0 data, ring bytes
 *  12288+R  ring 1 data, ring bytes
 * </pre>
 */
final class ShmFile implements AutoCloseable {
    static final long MAGIC = 0x314d_4853_5350_4831L; // "1HPSSHM1" read as little-endian bytes
    static final int VERSION = 1;
    static final int CLIENT = 0;
    static final int SERVER = 1;

    private static final long PAGE = 4096;
    private static final long LINE = 128;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final Arena arena;
    private final MemorySegment memory;
    private final int ringBytes;

    private ShmFile(Arena arena, MemorySegment memory, int ringBytes) {
        this.arena = arena;
        this.memory = memory;
        this.ringBytes = ringBytes;
    }

    static long length(int ringBytes) {
        return 3 * PAGE + 2L * ringBytes;
    }

    /** Creates {@code path} (which must not exist), sized for {@code ringBytes} rings, with its header written. */
    static ShmFile create(Path path, int ringBytes) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(1), length(ringBytes) - 1);
            ShmFile file = map(channel, ringBytes);
            file.memory.set(ValueLayout.JAVA_INT_UNALIGNED, 8, VERSION);
            file.memory.set(ValueLayout.JAVA_INT_UNALIGNED, 12, ringBytes);
            LONG.setVolatile(file.memory, 0L, MAGIC);
            return file;
        }
    }

    /** Maps an existing file created by {@link #create} for {@code ringBytes} rings, checking its header. */
    static ShmFile open(Path path, int ringBytes) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (channel.size() != length(ringBytes)) {
                throw new IOException("shared-memory file " + path + " has " + channel.size() + " bytes, expected "
                        + length(ringBytes));
            }
            ShmFile file = map(channel, ringBytes);
            long magic = (long) LONG.getVolatile(file.memory, 0L);
            int version = file.memory.get(ValueLayout.JAVA_INT_UNALIGNED, 8);
            int rings = file.memory.get(ValueLayout.JAVA_INT_UNALIGNED, 12);
            if (magic != MAGIC || version != VERSION || rings != ringBytes) {
                file.close();
                throw new IOException("shared-memory file " + path + " has an unknown header: magic="
                        + Long.toHexString(magic) + " version=" + version + " ring bytes=" + rings);
            }
            return file;
        }
    }

    private static ShmFile map(FileChannel channel, int ringBytes) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return new ShmFile(arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, length(ringBytes), arena),
                    ringBytes);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The ring {@code side} writes, seen by the writer. */
    ShmRing outbound(int side) {
        return ring(side);
    }

    /** The ring {@code side} reads (the one its peer writes), seen by the reader. */
    ShmRing inbound(int side) {
        return ring(1 - side);
    }

    private ShmRing ring(int index) {
        long control = PAGE * (1 + index);
        MemorySegment data = memory.asSlice(3 * PAGE + (long) index * ringBytes, ringBytes);
        return new ShmRing(memory, control, control + LINE, data);
    }

    private static long flags(int side) {
        return 512L * (1 + side);
    }

    long get(int side, Flag flag) {
        return (long) LONG.getVolatile(memory, flags(side) + flag.offset);
    }

    void set(int side, Flag flag, long value) {
        LONG.setVolatile(memory, flags(side) + flag.offset, value);
    }

    boolean clear(int side, Flag flag) {
        return LONG.compareAndSet(memory, flags(side) + flag.offset, 1L, 0L);
    }

    /** A side's flags, each 0 or 1. */
    enum Flag {
        /** Its I/O thread waits in the selector: write a byte to its socket to wake it. */
        SLEEPING(0),
        /** It has frames waiting for ring space: wake it when you consume. */
        WANTS_SPACE(LINE),
        /** It has closed the connection. */
        CLOSED(2 * LINE);

        final long offset;

        Flag(long offset) {
            this.offset = offset;
        }
    }

    /** Unmaps the file; no ring of it may be used afterwards. */
    @Override
    public void close() {
        arena.close();
    }
}
