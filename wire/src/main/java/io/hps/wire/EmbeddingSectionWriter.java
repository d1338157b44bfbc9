package io.hps.wire;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/** Writes the {@link EmbeddingSection} layout for an {@link EmbeddingBlock}. */
final class EmbeddingSectionWriter {
    private EmbeddingSectionWriter() {
    }

    /** Bytes of the whole section, vectors included when inline. */
    static long length(EmbeddingBlock block) {
        return headLength(block) + (block.storage() == VectorStorage.INLINE ? block.vectorBytes() : 0);
    }

    /** Bytes from the section start to the vectors (inline) or to the section end (handle). */
    static long headLength(EmbeddingBlock block) {
        int arrays = block.layout() == EmbeddingLayout.UNIQUE ? 3 : 2;
        long position = Frames.align64(EmbeddingSection.DIMS_OFFSET + 4L * block.tableCount() * arrays);
        if (block.handle() != null) {
            position += EmbeddingSection.HANDLE_PAYLOAD_OFFSET + handlePayload(block.handle());
        }
        if (block.layout() == EmbeddingLayout.UNIQUE) {
            position = Frames.align64(position) + 4L * block.totalKeys();
        }
        return block.storage() == VectorStorage.INLINE ? Frames.align64(position) : position;
    }

    /**
     * Writes the section from its start (the writer index, 64-byte aligned from {@code frameStart})
     * up to the first vector byte, or to its end when the vectors are behind a handle. Copies the
     * readable bytes of {@code inverse} without moving its reader index.
     */
    static void writeHead(ByteBuf out, int frameStart, EmbeddingBlock block, ByteBuf inverse) {
        out.writeByte(block.dtype().code());
        out.writeByte(block.layout().code());
        out.writeByte(block.storage().code());
        out.writeByte(0);
        out.writeIntLE(block.tableCount());
        for (int t = 0; t < block.tableCount(); t++) {
            out.writeIntLE(block.dim(t));
        }
        for (int t = 0; t < block.tableCount(); t++) {
            out.writeIntLE(block.keyCount(t));
        }
        if (block.layout() == EmbeddingLayout.UNIQUE) {
            for (int t = 0; t < block.tableCount(); t++) {
                out.writeIntLE(block.uniqueCount(t));
            }
        }
        Frames.padTo64(out, frameStart);
        if (block.handle() != null) {
            writeHandle(out, block.handle());
        }
        if (block.layout() == EmbeddingLayout.UNIQUE) {
            Frames.padTo64(out, frameStart);
            out.writeBytes(inverse, inverse.readerIndex(), inverse.readableBytes());
        }
        if (block.handle() == null) {
            Frames.padTo64(out, frameStart);
        }
    }

    /** Throws unless {@code inverse} and {@code vectors} match what {@code block} needs. */
    static void checkInputs(EmbeddingBlock block, ByteBuf inverse, ByteBuf vectors) {
        boolean unique = block.layout() == EmbeddingLayout.UNIQUE;
        if (unique != (inverse != null) || (unique && inverse.readableBytes() != 4L * block.totalKeys())) {
            throw new IllegalArgumentException("inverse index must be given exactly for UNIQUE, int32 per key: layout="
                    + block.layout() + " inverseBytes=" + (inverse == null ? -1 : inverse.readableBytes())
                    + " totalKeys=" + block.totalKeys());
        }
        boolean inline = block.handle() == null;
        if (inline != (vectors != null) || (inline && vectors.readableBytes() != block.vectorBytes())) {
            throw new IllegalArgumentException("vectors must be given exactly when inline, vectorBytes long: storage="
                    + block.storage() + " vectorsBytes=" + (vectors == null ? -1 : vectors.readableBytes())
                    + " vectorBytes=" + block.vectorBytes());
        }
    }

    private static int handlePayload(VectorHandle handle) {
        return switch (handle) {
            case VectorHandle.SharedMemory shm -> Frames.nameBytes(shm.name(), "sharedMemoryName");
            case VectorHandle.CudaIpc ignored -> VectorHandle.CudaIpc.HANDLE_BYTES;
        };
    }

    private static void writeHandle(ByteBuf out, VectorHandle handle) {
        out.writeLongLE(handle.offset());
        out.writeLongLE(handle.length());
        switch (handle) {
            case VectorHandle.SharedMemory shm -> {
                out.writeIntLE(0);
                out.writeShortLE(Frames.nameBytes(shm.name(), "sharedMemoryName"));
                out.writeShortLE(0);
                out.writeCharSequence(shm.name(), StandardCharsets.UTF_8);
            }
            case VectorHandle.CudaIpc cuda -> {
                out.writeIntLE(cuda.device());
                out.writeShortLE(0);
                out.writeShortLE(0);
                out.writeBytes(cuda.ipcHandle());
            }
        }
    }
}
