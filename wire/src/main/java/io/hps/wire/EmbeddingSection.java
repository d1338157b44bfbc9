package io.hps.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Flyweight over the embedding section that ends a lookup response and a score request. The
 * section starts 64-byte aligned in its frame and is position independent: every offset inside it
 * is relative to its start, so {@link #sectionRetainedSlice()} of a lookup response can become,
 * unchanged, the section of a score request. Little-endian.
 *
 * <pre>
 *  0       1       2       3       4               8
 * +-------+-------+-------+-------+---------------+------------------------------------------+
 * | dtype | layout|storage|  0    | table count T | dims u32[T]                          ...  |
 * +-------+-------+-------+-------+---------------+------------------------------------------+
 * | key counts u32[T] | unique counts u32[T] (UNIQUE only)                               ... |
 * +--------------------------------------------- 64-byte aligned ---------------------------+
 * | handle (SHARED_MEMORY, CUDA_IPC only):                                                   |
 * |   offset u64 | length u64 | device u32 | name length u16 | 0 u16 |                      |
 * |   CUDA_IPC: 64-byte CUipcMemHandle; SHARED_MEMORY: region name, UTF-8                    |
 * +--------------------------------------------- 64-byte aligned ---------------------------+
 * | inverse index int32, table-major, one per key (UNIQUE only)                          ... |
 * +--------------------------------------------- 64-byte aligned ---------------------------+
 * | vectors (INLINE only), see {@link EmbeddingLayout}; the section ends with them       ... |
 * +------------------------------------------------------------------------------------------+
 * </pre>
 *
 * Rows of table {@code t}: its key count, or its unique count for {@link EmbeddingLayout#UNIQUE}.
 * Vector bytes: sum over tables of rows x dim x dtype bytes; a handle's length must equal it. The
 * section ends exactly after its last present part. {@code wrap} of the enclosing decoder checks
 * all of this, including every inverse index value against its table's unique count, so reads
 * inside the declared counts never fail. Arguments of accessors are not range-checked.
 */
public final class EmbeddingSection {
    static final int DTYPE_OFFSET = 0;
    static final int LAYOUT_OFFSET = 1;
    static final int STORAGE_OFFSET = 2;
    static final int RESERVED_OFFSET = 3;
    static final int TABLE_COUNT_OFFSET = 4;
    static final int DIMS_OFFSET = 8;

    static final int HANDLE_OFFSET_OFFSET = 0;
    static final int HANDLE_LENGTH_OFFSET = 8;
    static final int HANDLE_DEVICE_OFFSET = 16;
    static final int HANDLE_NAME_LENGTH_OFFSET = 20;
    static final int HANDLE_RESERVED_OFFSET = 22;
    static final int HANDLE_PAYLOAD_OFFSET = 24;

    private ByteBuf buffer;
    private int start;
    private int end;
    private VectorDtype dtype;
    private EmbeddingLayout layout;
    private VectorStorage storage;
    private int tableCount;
    private int dimsIndex;
    private int keyCountsIndex;
    private int uniqueCountsIndex;
    private int handleIndex;
    private int inverseIndex;
    private int vectorsIndex;
    private int totalKeys;
    private long vectorBytes;
    private int[] keyStarts = new int[1];
    private long[] rowByteStarts = new long[1];

    EmbeddingSection() {
    }

    /** Validates the section at the absolute {@code [start, end)}; {@code start} is 64-byte aligned in its frame. */
    EmbeddingSection wrap(ByteBuf frameBuffer, int sectionStart, int sectionEnd) {
        this.buffer = frameBuffer;
        this.start = sectionStart;
        this.end = sectionEnd;
        int length = sectionEnd - sectionStart;
        Frames.requireFits(DIMS_OFFSET, length, "embeddingHeader");
        readCodes();
        tableCount = Frames.u32InRange(buffer, start + TABLE_COUNT_OFFSET, 1, Frames.MAX_TABLES, "tableCount");
        int arrays = layout == EmbeddingLayout.UNIQUE ? 3 : 2;
        long countsEnd = DIMS_OFFSET + 4L * tableCount * arrays;
        Frames.requireFits(countsEnd, length, "embeddingCounts");
        dimsIndex = start + DIMS_OFFSET;
        keyCountsIndex = dimsIndex + 4 * tableCount;
        uniqueCountsIndex = keyCountsIndex + 4 * tableCount;
        readTables();
        long partsEnd = readParts(Frames.align64(countsEnd), length);
        if (partsEnd != length) {
            throw new MalformedFrameException("embedding section length does not match its parts: partsEnd="
                    + partsEnd + " length=" + length);
        }
        return this;
    }

    /** Reads handle, inverse index and vectors from {@code position}; returns where they end. */
    private long readParts(long position, int length) {
        if (storage != VectorStorage.INLINE) {
            position = readHandle(position, length);
        }
        if (layout == EmbeddingLayout.UNIQUE) {
            position = readInverse(Frames.align64(position), length);
        }
        if (storage == VectorStorage.INLINE) {
            position = Frames.align64(position);
            Frames.requireFits(position + vectorBytes, length, "vectors");
            vectorsIndex = start + (int) position;
            position += vectorBytes;
        }
        return position;
    }

    private void readCodes() {
        int dtypeCode = buffer.getUnsignedByte(start + DTYPE_OFFSET);
        int layoutCode = buffer.getUnsignedByte(start + LAYOUT_OFFSET);
        int storageCode = buffer.getUnsignedByte(start + STORAGE_OFFSET);
        dtype = VectorDtype.ofCode(dtypeCode);
        layout = EmbeddingLayout.ofCode(layoutCode);
        storage = VectorStorage.ofCode(storageCode);
        if (dtype == null || layout == null || storage == null || buffer.getByte(start + RESERVED_OFFSET) != 0) {
            throw new MalformedFrameException("embedding section codes invalid: dtype=" + dtypeCode + " layout="
                    + layoutCode + " storage=" + storageCode + " reserved=" + buffer.getByte(start + RESERVED_OFFSET));
        }
    }

    private void readTables() {
        if (keyStarts.length < tableCount + 1) {
            keyStarts = new int[tableCount + 1];
            rowByteStarts = new long[tableCount + 1];
        }
        long keys = 0;
        long bytes = 0;
        for (int t = 0; t < tableCount; t++) {
            long dim = buffer.getUnsignedIntLE(dimsIndex + 4 * t);
            long count = buffer.getUnsignedIntLE(keyCountsIndex + 4 * t);
            long rows = layout == EmbeddingLayout.UNIQUE ? uniqueCount(t, count) : count;
            if (dim < 1 || dim > Frames.MAX_DIM || count > Integer.MAX_VALUE) {
                throw new MalformedFrameException("table shape out of range: table=" + t + " dim=" + dim
                        + " keyCount=" + count + " maxDim=" + Frames.MAX_DIM);
            }
            keys += count;
            if (keys > Integer.MAX_VALUE / Integer.BYTES) {
                throw new MalformedFrameException("too many keys: table=" + t + " totalKeys=" + keys);
            }
            bytes += rows * dim * dtype.bytes();
            keyStarts[t + 1] = (int) keys;
            rowByteStarts[t + 1] = bytes;
        }
        totalKeys = (int) keys;
        vectorBytes = bytes;
        if (layout == EmbeddingLayout.SAMPLE_MAJOR) {
            requireUniformShape();
        }
    }

    private long uniqueCount(int table, long keyCount) {
        long unique = buffer.getUnsignedIntLE(uniqueCountsIndex + 4 * table);
        if (unique > keyCount || (keyCount > 0 && unique == 0)) {
            throw new MalformedFrameException("unique count out of range: table=" + table + " uniqueCount="
                    + unique + " keyCount=" + keyCount);
        }
        return unique;
    }

    private void requireUniformShape() {
        for (int t = 1; t < tableCount; t++) {
            if (dim(t) != dim(0) || keyCount(t) != keyCount(0)) {
                throw new MalformedFrameException("SAMPLE_MAJOR tables differ in shape: table=" + t + " dim="
                        + dim(t) + " keyCount=" + keyCount(t) + " dim0=" + dim(0) + " keyCount0=" + keyCount(0));
            }
        }
    }

    private long readHandle(long position, int length) {
        long aligned = Frames.align64(position);
        Frames.requireFits(aligned + HANDLE_PAYLOAD_OFFSET, length, "handle");
        handleIndex = start + (int) aligned;
        long offset = buffer.getLongLE(handleIndex + HANDLE_OFFSET_OFFSET);
        long bytes = buffer.getLongLE(handleIndex + HANDLE_LENGTH_OFFSET);
        int nameLength = buffer.getUnsignedShortLE(handleIndex + HANDLE_NAME_LENGTH_OFFSET);
        if (offset < 0 || bytes != vectorBytes || offset > Long.MAX_VALUE - bytes
                || buffer.getShortLE(handleIndex + HANDLE_RESERVED_OFFSET) != 0) {
            throw new MalformedFrameException("handle range invalid: offset=" + offset + " length=" + bytes
                    + " vectorBytes=" + vectorBytes);
        }
        int payload = storage == VectorStorage.CUDA_IPC ? cudaPayload(nameLength) : sharedMemoryPayload(nameLength);
        long handleEnd = aligned + HANDLE_PAYLOAD_OFFSET + payload;
        Frames.requireFits(handleEnd, length, "handle");
        if (storage == VectorStorage.SHARED_MEMORY) {
            Frames.requireUtf8(buffer, handleIndex + HANDLE_PAYLOAD_OFFSET, nameLength, "sharedMemoryName");
        }
        return handleEnd;
    }

    private int cudaPayload(int nameLength) {
        int device = buffer.getIntLE(handleIndex + HANDLE_DEVICE_OFFSET);
        if (nameLength != 0 || device < 0) {
            throw new MalformedFrameException("CUDA IPC handle invalid: device=" + device + " nameLength=" + nameLength);
        }
        return VectorHandle.CudaIpc.HANDLE_BYTES;
    }

    private int sharedMemoryPayload(int nameLength) {
        int device = buffer.getIntLE(handleIndex + HANDLE_DEVICE_OFFSET);
        if (nameLength < 1 || nameLength > Frames.MAX_NAME_BYTES || device != 0) {
            throw new MalformedFrameException("shared-memory handle invalid: device=" + device + " nameLength="
                    + nameLength);
        }
        return nameLength;
    }

    private long readInverse(long position, int length) {
        Frames.requireFits(position + 4L * totalKeys, length, "inverseIndex");
        inverseIndex = start + (int) position;
        for (int t = 0; t < tableCount; t++) {
            requireInverseInRange(t);
        }
        return position + 4L * totalKeys;
    }

    private void requireInverseInRange(int table) {
        int unique = rowCount(table);
        int from = inverseIndex + 4 * keyStarts[table];
        int keys = keyCount(table);
        for (int k = 0; k < keys; k++) {
            int row = buffer.getIntLE(from + 4 * k);
            if (Integer.compareUnsigned(row, unique) >= 0) {
                throw new MalformedFrameException("inverse index out of range: table=" + table + " key=" + k
                        + " row=" + row + " uniqueCount=" + unique);
            }
        }
    }

    public VectorDtype dtype() {
        return dtype;
    }

    public EmbeddingLayout layout() {
        return layout;
    }

    public VectorStorage storage() {
        return storage;
    }

    public int tableCount() {
        return tableCount;
    }

    /** Elements per vector of {@code table}. */
    public int dim(int table) {
        return buffer.getIntLE(dimsIndex + 4 * table);
    }

    /** Keys of {@code table}: vectors for one-per-key layouts, inverse entries for UNIQUE. */
    public int keyCount(int table) {
        return keyStarts[table + 1] - keyStarts[table];
    }

    /** Position of {@code table}'s first key among all keys, table-major. */
    public int keyStart(int table) {
        return keyStarts[table];
    }

    public int totalKeys() {
        return totalKeys;
    }

    /** Vectors of {@code table}: its unique count for UNIQUE, else its key count. */
    public int rowCount(int table) {
        return (int) ((rowByteStarts[table + 1] - rowByteStarts[table]) / ((long) dim(table) * dtype.bytes()));
    }

    /** Row holding the vector of {@code table}'s key {@code key}: the inverse index for UNIQUE, else {@code key}. */
    public int row(int table, int key) {
        return layout == EmbeddingLayout.UNIQUE ? inverseIndex(table, key) : key;
    }

    /** Inverse index entry of {@code table}'s key {@code key}; only for UNIQUE. */
    public int inverseIndex(int table, int key) {
        return buffer.getIntLE(inverseIndex + 4 * (keyStarts[table] + key));
    }

    /** Bytes of all vectors, inline or behind the handle. */
    public long vectorBytes() {
        return vectorBytes;
    }

    /** Byte offset of the vector at ({@code table}, {@code row}) from the start of the vectors. */
    public long vectorOffset(int table, int row) {
        long vector = (long) dim(table) * dtype.bytes();
        if (layout == EmbeddingLayout.SAMPLE_MAJOR) {
            return ((long) row * tableCount + table) * vector;
        }
        return rowByteStarts[table] + row * vector;
    }

    /** Absolute buffer index of the vector at ({@code table}, {@code row}); only for INLINE. */
    public int vectorIndex(int table, int row) {
        return vectorsIndex + (int) vectorOffset(table, row);
    }

    /** Element {@code element} of the vector at ({@code table}, {@code row}) as float32; only for INLINE. */
    public float element(int table, int row, int element) {
        return HalfPrecision.get(buffer, vectorIndex(table, row) + element * dtype.bytes(), dtype);
    }

    /** The inline vectors; shares the buffer's memory and reference count. */
    public ByteBuf vectorsSlice() {
        requireInline();
        return buffer.slice(vectorsIndex, (int) vectorBytes);
    }

    /** The inline vectors with the buffer's reference count incremented; the caller releases it. */
    public ByteBuf vectorsRetainedSlice() {
        requireInline();
        return buffer.retainedSlice(vectorsIndex, (int) vectorBytes);
    }

    /** The int32 inverse index, table-major; shares the buffer's memory; only for UNIQUE. */
    public ByteBuf inverseSlice() {
        if (layout != EmbeddingLayout.UNIQUE) {
            throw new IllegalStateException("no inverse index: layout=" + layout);
        }
        return buffer.slice(inverseIndex, 4 * totalKeys);
    }

    /** The whole section; shares the buffer's memory and reference count. */
    public ByteBuf sectionSlice() {
        return buffer.slice(start, end - start);
    }

    /**
     * The whole section with the buffer's reference count incremented; the caller releases it,
     * e.g. by handing it to {@link ScoreRequestEncoder#composeReleasing}.
     */
    public ByteBuf sectionRetainedSlice() {
        return buffer.retainedSlice(start, end - start);
    }

    /** Byte offset of the vectors in the region or allocation; only for handles. */
    public long handleOffset() {
        requireHandle();
        return buffer.getLongLE(handleIndex + HANDLE_OFFSET_OFFSET);
    }

    /** CUDA device ordinal; only for CUDA_IPC. */
    public int cudaDevice() {
        requireHandle();
        return buffer.getIntLE(handleIndex + HANDLE_DEVICE_OFFSET);
    }

    /** The 64 bytes of the CUDA IPC handle; shares the buffer's memory; only for CUDA_IPC. */
    public ByteBuf cudaIpcHandleSlice() {
        if (storage != VectorStorage.CUDA_IPC) {
            throw new IllegalStateException("no CUDA IPC handle: storage=" + storage);
        }
        return buffer.slice(handleIndex + HANDLE_PAYLOAD_OFFSET, VectorHandle.CudaIpc.HANDLE_BYTES);
    }

    /** The shared-memory region name; allocates a String; only for SHARED_MEMORY. */
    public String sharedMemoryName() {
        if (storage != VectorStorage.SHARED_MEMORY) {
            throw new IllegalStateException("no shared-memory handle: storage=" + storage);
        }
        int nameLength = buffer.getUnsignedShortLE(handleIndex + HANDLE_NAME_LENGTH_OFFSET);
        return Frames.utf8(buffer, handleIndex + HANDLE_PAYLOAD_OFFSET, nameLength);
    }

    /** The handle as a value, or {@code null} for INLINE; allocates. */
    public VectorHandle handle() {
        return switch (storage) {
            case INLINE -> null;
            case SHARED_MEMORY -> new VectorHandle.SharedMemory(sharedMemoryName(), handleOffset(), vectorBytes);
            case CUDA_IPC -> new VectorHandle.CudaIpc(ByteBufUtil.getBytes(cudaIpcHandleSlice()),
                    cudaDevice(), handleOffset(), vectorBytes);
        };
    }

    private void requireInline() {
        if (storage != VectorStorage.INLINE) {
            throw new IllegalStateException("vectors are not inline: storage=" + storage);
        }
    }

    private void requireHandle() {
        if (storage == VectorStorage.INLINE) {
            throw new IllegalStateException("vectors are inline, there is no handle");
        }
    }
}
