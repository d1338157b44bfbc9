package io.hps.dense.gpu;

import io.hps.gpu.GpuException;
import io.hps.gpu.ipc.IpcMemHandles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The lookup request of the same-host ensemble, little-endian: the keys stay in the dense side's device memory and
 * only their CUDA IPC handle travels.
 *
 * <pre>
 *  0               4               8
 * +---------------+---------------+---------------------------------+
 * | batch i32     | tables i32    | handle of the key buffer, 64 B  |
 * +---------------+---------------+---------------------------------+
 * </pre>
 *
 * The key buffer holds {@code batch x tables} int64 keys encoded by {@link TableKeys}, sample-major, from its base.
 *
 * @param batch   samples
 * @param tables  tables per sample
 * @param handle  64 bytes of the key buffer's {@code CUipcMemHandle}
 */
record HandleRequest(int batch, int tables, byte[] handle) {

    static final int LENGTH = 8 + IpcMemHandles.HANDLE_BYTES;

    HandleRequest {
        if (batch < 1 || tables < 1 || handle.length != IpcMemHandles.HANDLE_BYTES) {
            throw new GpuException("malformed handle request: batch=" + batch + " tables=" + tables
                    + " handleBytes=" + handle.length);
        }
    }

    ByteBuf encode(ByteBufAllocator allocator) {
        ByteBuf out = allocator.buffer(LENGTH);
        out.writeIntLE(batch).writeIntLE(tables).writeBytes(handle);
        return out;
    }

    /** Reads a request from {@code in}'s readable bytes, which must be exactly {@link #LENGTH}. */
    static HandleRequest decode(ByteBuf in) {
        if (in.readableBytes() != LENGTH) {
            throw new GpuException("handle request has the wrong length: length=" + in.readableBytes()
                    + " expected=" + LENGTH);
        }
        int at = in.readerIndex();
        byte[] handle = new byte[IpcMemHandles.HANDLE_BYTES];
        in.getBytes(at + 8, handle);
        return new HandleRequest(in.getIntLE(at), in.getIntLE(at + 4), handle);
    }
}
