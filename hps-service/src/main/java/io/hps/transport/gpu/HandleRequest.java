package io.hps.transport.gpu;

import io.hps.gpu.GpuException;
import io.hps.gpu.ipc.IpcEvents;
import io.hps.gpu.ipc.IpcMemHandles;
import io.hps.gpu.table.TableKeys;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The lookup request of the same-host ensemble, little-endian: the keys stay in the dense side's device memory and
 * only their CUDA IPC handle travels.
 *
 * <pre>
 *  0               4               8                                 72                                136
 * +---------------+---------------+---------------------------------+---------------------------------+
 * | batch i32     | tables i32    | handle of the key buffer, 64 B  | event handle, 64 B (optional)   |
 * +---------------+---------------+---------------------------------+---------------------------------+
 * </pre>
 *
 * The key buffer holds {@code batch x tables} int64 keys encoded by {@link TableKeys}, sample-major, from its base.
 * Without the event ({@link #LENGTH} bytes) the keys are in the buffer when the request is sent; with it
 * ({@link #LENGTH_WITH_EVENT} bytes) the keys are there once the sender's interprocess event, recorded before
 * the request was sent, has fired, and the receiver's stream must wait for it ({@link IpcEvents#waitOn}).
 *
 * @param batch   samples
 * @param tables  tables per sample
 * @param handle  64 bytes of the key buffer's {@code CUipcMemHandle}
 * @param event   64 bytes of the {@code CUipcEventHandle} to wait for before reading the keys, or null
 */
public record HandleRequest(int batch, int tables, byte[] handle, byte[] event) {

    public static final int LENGTH = 8 + IpcMemHandles.HANDLE_BYTES;
    public static final int LENGTH_WITH_EVENT = LENGTH + IpcEvents.HANDLE_BYTES;

    public HandleRequest {
        if (batch < 1 || tables < 1 || handle.length != IpcMemHandles.HANDLE_BYTES
                || (event != null && event.length != IpcEvents.HANDLE_BYTES)) {
            throw new GpuException("malformed handle request: batch=" + batch + " tables=" + tables
                    + " handleBytes=" + handle.length + " eventBytes=" + (event == null ? 0 : event.length));
        }
    }

    /** A request whose keys are on the device when it is sent. */
    public HandleRequest(int batch, int tables, byte[] handle) {
        this(batch, tables, handle, null);
    }

    public ByteBuf encode(ByteBufAllocator allocator) {
        ByteBuf out = allocator.buffer(event == null ? LENGTH : LENGTH_WITH_EVENT);
        out.writeIntLE(batch).writeIntLE(tables).writeBytes(handle);
        if (event != null) {
            out.writeBytes(event);
        }
        return out;
    }

    /** Reads a request from {@code in}'s readable bytes, which must be {@link #LENGTH} or {@link #LENGTH_WITH_EVENT}. */
    public static HandleRequest decode(ByteBuf in) {
        int length = in.readableBytes();
        if (length != LENGTH && length != LENGTH_WITH_EVENT) {
            throw new GpuException("handle request has the wrong length: length=" + length + " expected=" + LENGTH
                    + " or " + LENGTH_WITH_EVENT);
        }
        int at = in.readerIndex();
        byte[] handle = new byte[IpcMemHandles.HANDLE_BYTES];
        in.getBytes(at + 8, handle);
        byte[] event = null;
        if (length == LENGTH_WITH_EVENT) {
            event = new byte[IpcEvents.HANDLE_BYTES];
            in.getBytes(at + LENGTH, event);
        }
        return new HandleRequest(in.getIntLE(at), in.getIntLE(at + 4), handle, event);
    }
}
