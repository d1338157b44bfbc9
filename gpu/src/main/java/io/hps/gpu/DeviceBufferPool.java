package io.hps.gpu;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A fixed set of equal-sized device buffers allocated at start-up (sized by the largest batch), handed out
 * and returned without touching the allocator on the hot path.
 *
 * <p>Threads: owner thread of its device only.
 */
public final class DeviceBufferPool implements AutoCloseable {

    private final DeviceContext context;
    private final long blockBytes;
    private final List<DeviceBuffer> all;
    private final ArrayDeque<DeviceBuffer> free;

    public DeviceBufferPool(DeviceContext context, long blockBytes, int blocks) {
        context.checkOwner();
        if (blocks < 1) {
            throw new GpuException("pool needs at least one block: blocks=" + blocks);
        }
        this.context = context;
        this.blockBytes = blockBytes;
        this.all = new ArrayList<>(blocks);
        for (int i = 0; i < blocks; i++) {
            all.add(context.allocate(blockBytes));
        }
        this.free = new ArrayDeque<>(all);
    }

    public long blockBytes() {
        return blockBytes;
    }

    public int available() {
        return free.size();
    }

    /** A free buffer, or null when all are in use (an expected outcome: the caller sheds or waits). */
    public DeviceBuffer poll() {
        context.checkOwner();
        return free.pollFirst();
    }

    /** Returns a buffer taken from this pool. */
    public void release(DeviceBuffer buffer) {
        context.checkOwner();
        if (!all.contains(buffer) || free.contains(buffer)) {
            throw new GpuException("buffer not in use from this pool: bytes=" + buffer.bytes()
                    + " blockBytes=" + blockBytes);
        }
        free.addFirst(buffer);
    }

    /** Frees every block, in use or not. */
    @Override
    public void close() {
        all.forEach(DeviceBuffer::close);
        free.clear();
    }
}
