package io.hps.wire;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Where vectors live when they do not travel inside the frame. The bytes at
 * {@code [offset, offset + length)} have exactly the layout the inline vectors would have.
 * The sender keeps that memory unchanged and alive until the receiver answers the request; how
 * the receiver signals it is done is the services' protocol, not the frame's.
 */
public sealed interface VectorHandle {
    /** {@link VectorStorage#SHARED_MEMORY} or {@link VectorStorage#CUDA_IPC}. */
    VectorStorage storage();

    /** Byte offset of the vectors in the region or device allocation. */
    long offset();

    /** Bytes of vectors; equals the section's vector bytes. */
    long length();

    /**
     * A named shared-memory region of this host, e.g. a file under {@code /dev/shm}.
     *
     * @param name   region name, 1..255 UTF-8 bytes
     * @param offset byte offset of the vectors in the region, at least 0
     * @param length bytes of vectors, at least 0
     */
    record SharedMemory(String name, long offset, long length) implements VectorHandle {
        public SharedMemory {
            if (name == null) {
                throw new IllegalArgumentException("shared-memory name must not be null");
            }
            Frames.nameBytes(name, "sharedMemoryName");
            requireRange(offset, length);
        }

        @Override
        public VectorStorage storage() {
            return VectorStorage.SHARED_MEMORY;
        }
    }

    /**
     * A device allocation exported with {@code cuIpcGetMemHandle}.
     *
     * @param ipcHandle the 64 bytes of {@code CUipcMemHandle}; copied
     * @param device    CUDA device ordinal of the allocation, at least 0
     * @param offset    byte offset of the vectors from the allocation's base, at least 0
     * @param length    bytes of vectors, at least 0
     */
    record CudaIpc(byte[] ipcHandle, int device, long offset, long length) implements VectorHandle {
        /** Bytes of a CUDA IPC memory handle. */
        public static final int HANDLE_BYTES = 64;

        public CudaIpc {
            if (ipcHandle == null || ipcHandle.length != HANDLE_BYTES) {
                throw new IllegalArgumentException("CUDA IPC handle must have " + HANDLE_BYTES + " bytes: bytes="
                        + (ipcHandle == null ? 0 : ipcHandle.length));
            }
            if (device < 0) {
                throw new IllegalArgumentException("device must be >= 0: device=" + device);
            }
            requireRange(offset, length);
            ipcHandle = ipcHandle.clone();
        }

        /** A copy of the 64 handle bytes. */
        @Override
        public byte[] ipcHandle() {
            return ipcHandle.clone();
        }

        @Override
        public VectorStorage storage() {
            return VectorStorage.CUDA_IPC;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof CudaIpc that && Arrays.equals(ipcHandle, that.ipcHandle)
                    && device == that.device && offset == that.offset && length == that.length;
        }

        @Override
        public int hashCode() {
            return ((Arrays.hashCode(ipcHandle) * 31 + device) * 31 + Long.hashCode(offset)) * 31 + Long.hashCode(length);
        }

        @Override
        public String toString() {
            return "CudaIpc[ipcHandle=" + HexFormat.of().formatHex(ipcHandle) + ", device=" + device
                    + ", offset=" + offset + ", length=" + length + "]";
        }
    }

    private static void requireRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("handle range invalid: offset=" + offset + " length=" + length);
        }
    }
}
