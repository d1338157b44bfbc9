package io.hps.transport.shm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One direction of a connection: a single-producer single-consumer byte ring in shared memory. The writer owns the
 * tail and the reader the head; both only grow (int64 byte counts), and the ring's index is the count modulo its
 * power-of-two size. Each side keeps its own count here and publishes it with a volatile store, so that a volatile
 * read of a peer's flag after publishing cannot be ordered before the publication.
 *
 * <p>Not thread-safe: one instance is one side's view (the writer's or the reader's), used by one thread at a time.
 */
final class ShmRing {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment file;
    private final long tailAt;
    private final long headAt;
    private final MemorySegment data;
    private final long capacity;
    private final long mask;
    /** The writer's tail or the reader's head. */
    private long position;

    ShmRing(MemorySegment file, long tailAt, long headAt, MemorySegment data) {
        this.file = file;
        this.tailAt = tailAt;
        this.headAt = headAt;
        this.data = data;
        this.capacity = data.byteSize();
        this.mask = capacity - 1;
    }

    /** Writer: bytes that may be written now. */
    long space() {
        return capacity - (position - (long) LONG.getVolatile(file, headAt));
    }

    /** Writer: copies {@code length} bytes of {@code source} from {@code offset} in (at most {@link #space()}). */
    void put(MemorySegment source, long offset, long length) {
        long at = position & mask;
        long first = Math.min(length, capacity - at);
        MemorySegment.copy(source, offset, data, at, first);
        if (first < length) {
            MemorySegment.copy(source, offset + first, data, 0, length - first);
        }
        position += length;
    }

    /** Writer: makes what was put visible to the reader. */
    void publish() {
        LONG.setVolatile(file, tailAt, position);
    }

    /** Reader: bytes written and not yet taken. */
    long available() {
        return (long) LONG.getVolatile(file, tailAt) - position;
    }

    /** Reader: copies {@code length} bytes (at most {@link #available()}) out to {@code target} at {@code offset}. */
    void take(MemorySegment target, long offset, long length) {
        long at = position & mask;
        long first = Math.min(length, capacity - at);
        MemorySegment.copy(data, at, target, offset, first);
        if (first < length) {
            MemorySegment.copy(data, 0, target, offset + first, length - first);
        }
        position += length;
    }

    /** Reader: gives what was taken back to the writer. */
    void release() {
        LONG.setVolatile(file, headAt, position);
    }
}
