package io.hps.transport.shm;

import io.hps.transport.tcp.FrameBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.DuplexConnection;
import io.rsocket.RSocketErrorException;
import io.rsocket.frame.ErrorFrameCodec;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

/**
 * An RSocket connection between two processes of one host over a {@link ShmFile}: each direction a byte ring of
 * length-prefixed frames (a native-order int32 length, then the frame), plus the Unix domain socket the two sides
 * met on, which carries only wake-ups and tells each side when the other is gone.
 *
 * <p>Sending: {@link #sendFrame} copies the frame into the outbound ring on the caller's thread when the ring has
 * room for all of it and nothing is queued before it (the common case: no hand-off at all); otherwise the frame is
 * queued and the connection's I/O thread streams it in as the peer makes room, so frames of any size pass through
 * a small ring and no sender ever waits. Receiving: the I/O thread copies each frame out of the inbound ring into a
 * buffer of exactly its size (from {@link FrameBuffers#SHARED}) and emits it on {@link #receive()} on that same
 * thread, so RSocket's handlers run there as they would on an event loop.
 *
 * <p>Waiting: the I/O thread polls both rings for {@link ShmSettings#spinMicros()} after its last frame, then
 * sleeps in a selector on the socket after raising its {@link ShmFile.Flag#SLEEPING} flag; a sender that publishes
 * while the flag is up clears it and writes one byte to the socket. The flag and the ring counters are read and
 * written with volatile accesses on both sides, so a frame is never left unseen by a sleeping reader.
 *
 * <p>Closing: either side's {@link #dispose()} raises its {@link ShmFile.Flag#CLOSED} flag and closes its socket;
 * the peer sees one or the other (the flag while it polls, end of stream while it sleeps, also when the peer
 * process died) and closes too. Frames still queued are released.
 */
public final class ShmConnection implements DuplexConnection {
    private static final Logger log = LoggerFactory.getLogger(ShmConnection.class);
    private static final AtomicLong IDS = new AtomicLong();
    private static final ValueLayout.OfInt LENGTH = ValueLayout.JAVA_INT_UNALIGNED;
    private static final int LENGTH_BYTES = Integer.BYTES;

    private final ShmFile file;
    private final int side;
    private final int peer;
    private final ShmRing out;
    private final ShmRing in;
    private final SocketChannel socket;
    private final Selector selector;
    private final SocketAddress remote;
    private final long spinNanos;
    private final int maxFrameLength;
    private final Sinks.Many<ByteBuf> inbound = Sinks.many().unicast().onBackpressureBuffer();
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private final Thread io;

    private final ReentrantLock writeLock = new ReentrantLock();
    /** Frames waiting for ring space, oldest first; guarded by {@link #writeLock}. */
    private final ArrayDeque<Outbound> queue = new ArrayDeque<>();
    /** The length prefix being written; guarded by {@link #writeLock}. */
    private final MemorySegment lengthOut = MemorySegment.ofArray(new byte[LENGTH_BYTES]);
    /** False once the I/O thread has finished; guarded by {@link #writeLock}. */
    private boolean writable = true;
    private volatile boolean queued;
    private volatile boolean ioSleeping;
    private volatile boolean disposed;
    private volatile boolean closeWhenFlushed;

    // The frame being read; I/O thread only.
    private final MemorySegment lengthIn = MemorySegment.ofArray(new byte[LENGTH_BYTES]);
    private final ByteBuffer wakeBytes = ByteBuffer.allocate(64);
    private final List<ByteBuf> arrived = new ArrayList<>();
    private int lengthFilled;
    private ByteBuf frame;
    private MemorySegment frameMemory;
    private int frameLength;
    private int frameFilled;

    /** A frame and how many of its bytes (length prefix included) are in the ring. */
    private static final class Outbound {
        final ByteBuf frame;
        long written;

        Outbound(ByteBuf frame, long written) {
            this.frame = frame;
            this.written = written;
        }
    }

    /**
     * Takes over {@code file} and {@code socket} (connected, the handshake done) as {@code side}; starts the I/O
     * thread.
     */
    ShmConnection(ShmFile file, int side, SocketChannel socket, SocketAddress remote, ShmSettings settings)
            throws IOException {
        this.file = file;
        this.side = side;
        this.peer = 1 - side;
        this.out = file.outbound(side);
        this.in = file.inbound(side);
        this.socket = socket;
        this.remote = remote;
        this.spinNanos = settings.spinMicros() * 1000;
        this.maxFrameLength = settings.maxFrameLength();
        socket.configureBlocking(false);
        this.selector = Selector.open();
        socket.register(selector, SelectionKey.OP_READ);
        this.io = Thread.ofPlatform().daemon()
                .name("hps-shm-" + (side == ShmFile.CLIENT ? "client-" : "server-") + IDS.incrementAndGet())
                .unstarted(this::run);
        io.start();
    }

    @Override
    public void sendFrame(int streamId, ByteBuf frame) {
        boolean wakeIo = false;
        writeLock.lock();
        try {
            if (!writable) {
                frame.release();
                return;
            }
            Outbound outbound = new Outbound(frame, 0);
            if (queue.isEmpty()) {
                boolean whole = write(outbound);
                out.publish();
                wakePeer();
                if (whole) {
                    frame.release();
                    return;
                }
            }
            queue.add(outbound);
            queued = true;
            wakeIo = true;
        } finally {
            writeLock.unlock();
        }
        if (wakeIo && ioSleeping) {
            selector.wakeup();
        }
    }

    @Override
    public void sendErrorAndClose(RSocketErrorException error) {
        sendFrame(0, ErrorFrameCodec.encode(alloc(), 0, error));
        closeWhenFlushed = true;
        selector.wakeup();
    }

    /**
     * The frames as they arrive, each released once its subscriber's {@code onNext} returns (as Reactor Netty
     * releases what it reads): RSocket retains what it keeps.
     */
    @Override
    public Flux<ByteBuf> receive() {
        return inbound.asFlux()
                .transform(Operators.<ByteBuf, ByteBuf>lift((scannable, actual) -> new ReleasingSubscriber(actual)))
                .doOnDiscard(ByteBuf.class, ByteBuf::release);
    }

    /** Passes each frame on and releases it when the subscriber is done with it. */
    private record ReleasingSubscriber(CoreSubscriber<? super ByteBuf> actual) implements CoreSubscriber<ByteBuf> {
        @Override
        public void onSubscribe(Subscription subscription) {
            actual.onSubscribe(subscription);
        }

        @Override
        public void onNext(ByteBuf frame) {
            try {
                actual.onNext(frame);
            } finally {
                frame.release();
            }
        }

        @Override
        public void onError(Throwable error) {
            actual.onError(error);
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }
    }

    @Override
    public ByteBufAllocator alloc() {
        return ByteBufAllocator.DEFAULT;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    @Override
    public void dispose() {
        disposed = true;
        if (Thread.currentThread() != io) {
            selector.wakeup();
        }
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    /** Puts as much of {@code outbound} into the ring as fits; whether all of it is in. Holds the write lock. */
    private boolean write(Outbound outbound) {
        ByteBuf frame = outbound.frame;
        int length = frame.readableBytes();
        long total = LENGTH_BYTES + (long) length;
        while (outbound.written < total) {
            long space = out.space();
            if (space == 0) {
                return false;
            }
            if (outbound.written < LENGTH_BYTES) {
                lengthOut.set(LENGTH, 0, length);
                long n = Math.min(LENGTH_BYTES - outbound.written, space);
                out.put(lengthOut, outbound.written, n);
                outbound.written += n;
                continue;
            }
            int from = (int) (outbound.written - LENGTH_BYTES);
            int n = (int) Math.min(space, length - from);
            int index = frame.readerIndex() + from;
            if (frame.nioBufferCount() == 1) {
                out.put(MemorySegment.ofBuffer(frame.nioBuffer(index, n)), 0, n);
            } else {
                for (ByteBuffer piece : frame.nioBuffers(index, n)) {
                    out.put(MemorySegment.ofBuffer(piece), 0, piece.remaining());
                }
            }
            outbound.written += n;
        }
        return true;
    }

    /** Wakes the peer's I/O thread if it sleeps. */
    private void wakePeer() {
        if (file.get(peer, ShmFile.Flag.SLEEPING) == 1 && file.clear(peer, ShmFile.Flag.SLEEPING)) {
            try {
                socket.write(ByteBuffer.wrap(new byte[] {1}));
            } catch (IOException e) {
                // the peer is gone; the I/O thread sees the end of the stream
                selector.wakeup();
            }
        }
    }

    private void run() {
        Throwable failure = null;
        long idleSince = System.nanoTime();
        try {
            while (!disposed) {
                boolean progress = read();
                progress |= flush();
                if (progress) {
                    idleSince = System.nanoTime();
                    continue;
                }
                if ((closeWhenFlushed && !queued) || file.get(peer, ShmFile.Flag.CLOSED) == 1) {
                    break;
                }
                if (System.nanoTime() - idleSince < spinNanos) {
                    Thread.onSpinWait();
                    continue;
                }
                if (!sleep()) {
                    break;
                }
                idleSince = System.nanoTime();
            }
        } catch (Throwable t) {
            failure = t;
            log.warn("shared-memory connection to {} failed", remote, t);
        } finally {
            finish(failure);
        }
    }

    /** Takes what the peer wrote; emits whole frames. Whether anything was taken. */
    private boolean read() {
        long available = in.available();
        if (available == 0) {
            return false;
        }
        while (available > 0) {
            if (frame == null) {
                int n = (int) Math.min(LENGTH_BYTES - lengthFilled, available);
                in.take(lengthIn, lengthFilled, n);
                lengthFilled += n;
                available -= n;
                if (lengthFilled < LENGTH_BYTES) {
                    break;
                }
                lengthFilled = 0;
                int length = lengthIn.get(LENGTH, 0);
                if (length < 1 || length > maxFrameLength) {
                    throw new IllegalStateException("frame length " + length + " outside 1.." + maxFrameLength);
                }
                frame = FrameBuffers.SHARED.directBuffer(length);
                frameMemory = MemorySegment.ofBuffer(frame.nioBuffer(0, length));
                frameLength = length;
                frameFilled = 0;
            } else {
                int n = (int) Math.min(frameLength - frameFilled, available);
                in.take(frameMemory, frameFilled, n);
                frameFilled += n;
                available -= n;
                if (frameFilled == frameLength) {
                    arrived.add(frame.writerIndex(frameLength));
                    frame = null;
                    frameMemory = null;
                }
            }
        }
        in.release();
        if (file.get(peer, ShmFile.Flag.WANTS_SPACE) == 1) {
            wakePeer();
        }
        for (int i = 0; i < arrived.size(); i++) {
            ByteBuf f = arrived.get(i);
            if (inbound.tryEmitNext(f).isFailure()) {
                f.release();
            }
        }
        arrived.clear();
        return true;
    }

    /** Streams queued frames into the ring as far as it has room. Whether anything went in. */
    private boolean flush() {
        if (!queued) {
            return false;
        }
        boolean progress = false;
        writeLock.lock();
        try {
            while (!queue.isEmpty()) {
                Outbound next = queue.peek();
                long before = next.written;
                boolean whole = write(next);
                progress |= next.written != before;
                if (!whole) {
                    break;
                }
                queue.poll();
                next.frame.release();
            }
            if (progress) {
                out.publish();
                wakePeer();
            }
            queued = !queue.isEmpty();
        } finally {
            writeLock.unlock();
        }
        return progress;
    }

    /**
     * Sleeps until the peer writes, makes room the queue waits for, closes, or a local sender queues a frame.
     * False when the peer's socket has closed.
     */
    private boolean sleep() throws IOException {
        file.set(side, ShmFile.Flag.WANTS_SPACE, queued ? 1 : 0);
        file.set(side, ShmFile.Flag.SLEEPING, 1);
        ioSleeping = true;
        try {
            if (!ready()) {
                selector.select();
            }
        } finally {
            ioSleeping = false;
            file.set(side, ShmFile.Flag.SLEEPING, 0);
        }
        selector.selectedKeys().clear();
        int read;
        do {
            wakeBytes.clear();
            read = socket.read(wakeBytes);
        } while (read > 0);
        return read == 0;
    }

    /** Whether there is work after the flags went up (checked again so that no wake-up is lost). */
    private boolean ready() {
        if (in.available() > 0 || disposed || closeWhenFlushed || file.get(peer, ShmFile.Flag.CLOSED) == 1) {
            return true;
        }
        if (!queued) {
            return false;
        }
        writeLock.lock();
        try {
            return !queue.isEmpty() && out.space() > 0;
        } finally {
            writeLock.unlock();
        }
    }

    private void finish(Throwable failure) {
        disposed = true;
        writeLock.lock();
        try {
            writable = false;
            file.set(side, ShmFile.Flag.CLOSED, 1);
            queue.forEach(o -> o.frame.release());
            queue.clear();
            queued = false;
            file.close();
        } finally {
            writeLock.unlock();
        }
        if (frame != null) {
            frame.release();
            frame = null;
            frameMemory = null;
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (failure == null) {
            inbound.tryEmitComplete();
        } else {
            inbound.tryEmitError(failure);
        }
        closed.tryEmitEmpty();
    }

    @Override
    public String toString() {
        return "ShmConnection{" + io.getName() + ", remote=" + remote + "}";
    }
}
