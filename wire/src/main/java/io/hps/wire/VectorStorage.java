package io.hps.wire;

/** Where the vectors of an {@link EmbeddingSection} are. */
public enum VectorStorage {
    /** In the frame, after the metadata and the inverse index. */
    INLINE(0),
    /** In a named shared-memory region of the same host ({@link VectorHandle.SharedMemory}). */
    SHARED_MEMORY(1),
    /** In device memory exported with a CUDA IPC handle ({@link VectorHandle.CudaIpc}). */
    CUDA_IPC(2);

    private final int code;

    VectorStorage(int code) {
        this.code = code;
    }

    /** The value of the storage byte on the wire. */
    public int code() {
        return code;
    }

    static VectorStorage ofCode(int code) {
        return switch (code) {
            case 0 -> INLINE;
            case 1 -> SHARED_MEMORY;
            case 2 -> CUDA_IPC;
            default -> null;
        };
    }
}
