package io.hps.cache;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import io.hps.gpu.DeviceBuffer;
import io.hps.gpu.DeviceContext;
import io.hps.gpu.PinnedBuffer;
import io.hps.gpu.cache.DeviceHashTable;
import io.hps.gpu.cache.TableOutcome;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The host and device buffers one chunk of a {@link GpuEmbeddingCache} batch travels through: keys, vectors and
 * miss indices, each in page-locked host memory and in device memory, sized for {@link #chunkRows()} keys, plus
 * the pinned copy of the table's outcome words. Allocated once, when the cache opens.
 *
 * <p>Threads: one holder at a time ({@link GpuEmbeddingCache} guards it with a lock). The pinned memory is read and
 * written by the holder on its own thread (the caller's segments may be confined to it); uploads, downloads and
 * {@link #awaitOutcome()} run on the owner thread of the device, in tasks the holder waits for.
 */
final class GpuBatchStaging implements AutoCloseable {
    private final DeviceContext context;
    private final int chunkRows;
    private final long rowBytes;
    private final PinnedBuffer hostKeys;
    private final PinnedBuffer hostVectors;
    private final PinnedBuffer hostMisses;
    private final PinnedBuffer hostOutcome;
    private final DeviceBuffer deviceKeys;
    private final DeviceBuffer deviceVectors;
    private final DeviceBuffer deviceMisses;

    GpuBatchStaging(DeviceContext context, int chunkRows, long rowBytes) {
        this.context = context;
        this.chunkRows = chunkRows;
        this.rowBytes = rowBytes;
        this.hostKeys = context.allocatePinned((long) chunkRows * Long.BYTES);
        this.hostVectors = context.allocatePinned(chunkRows * rowBytes);
        this.hostMisses = context.allocatePinned((long) chunkRows * Integer.BYTES);
        this.hostOutcome = context.allocatePinned(TableOutcome.BYTES);
        this.deviceKeys = context.allocate((long) chunkRows * Long.BYTES);
        this.deviceVectors = context.allocate(chunkRows * rowBytes);
        this.deviceMisses = context.allocate((long) chunkRows * Integer.BYTES);
    }

    /** Keys (and vectors, dumps) per chunk; a multiple of {@link DeviceHashTable#WAYS}. */
    int chunkRows() {
        return chunkRows;
    }

    DeviceBuffer deviceKeys() {
        return deviceKeys;
    }

    DeviceBuffer deviceVectors() {
        return deviceVectors;
    }

    DeviceBuffer deviceMisses() {
        return deviceMisses;
    }

    PinnedBuffer hostOutcome() {
        return hostOutcome;
    }

    /** Copies {@code count} keys from the heap into pinned memory; any thread holding the staging. */
    void putKeys(long[] keys, int offset, int count) {
        MemorySegment.copy(keys, offset, hostKeys.segment(), ValueLayout.JAVA_LONG, 0, count);
    }

    /** Copies {@code count} rows from {@code rows} into pinned memory; any thread holding the staging. */
    void putVectors(MemorySegment rows, long offsetBytes, int count) {
        MemorySegment.copy(rows, offsetBytes, hostVectors.segment(), 0, count * rowBytes);
    }

    /** Enqueues the upload of the first {@code count} pinned keys. Owner thread. */
    void uploadKeys(int count) {
        cuMemcpyHtoDAsync(deviceKeys.pointer(), hostKeys.pointer(), (long) count * Long.BYTES, context.stream());
    }

    /** Enqueues the upload of the first {@code count} pinned rows. Owner thread. */
    void uploadVectors(int count) {
        cuMemcpyHtoDAsync(deviceVectors.pointer(), hostVectors.pointer(), count * rowBytes, context.stream());
    }

    /** Enqueues the download of {@code count} rows of the device vectors. */
    void downloadVectors(int count) {
        cuMemcpyDtoHAsync(hostVectors.pointer(), deviceVectors.pointer(), count * rowBytes, context.stream());
    }

    /** Enqueues the download of {@code count} keys of the device keys. */
    void downloadKeys(int count) {
        cuMemcpyDtoHAsync(hostKeys.pointer(), deviceKeys.pointer(), (long) count * Long.BYTES, context.stream());
    }

    /** Enqueues the download of the first {@code count} miss indices. */
    void downloadMisses(int count) {
        cuMemcpyDtoHAsync(hostMisses.pointer(), deviceMisses.pointer(), (long) count * Integer.BYTES,
                context.stream());
    }

    /** Waits for the stream, then reads the outcome words it copied. */
    TableOutcome awaitOutcome() {
        context.synchronize();
        return TableOutcome.read(hostOutcome.segment());
    }

    /** Copies {@code count} downloaded rows to {@code target}; the stream must have passed the download. Any thread. */
    void copyVectorsTo(MemorySegment target, long targetOffsetBytes, int count) {
        MemorySegment.copy(hostVectors.segment(), 0, target, targetOffsetBytes, count * rowBytes);
    }

    /** Copies {@code count} downloaded keys to {@code target} at index 0. Any thread. */
    void copyKeysTo(MemorySegment target, int count) {
        MemorySegment.copy(hostKeys.segment(), 0, target, 0, (long) count * Long.BYTES);
    }

    /**
     * Appends {@code count} downloaded miss indices, each plus {@code base}, to {@code misses} in ascending order.
     */
    void appendMisses(MissList misses, int count, int base) {
        int[] indices = misses.indices();
        int from = misses.count();
        MemorySegment.copy(hostMisses.segment(), ValueLayout.JAVA_INT, 0, indices, from, count);
        Arrays.sort(indices, from, from + count);
        for (int m = from; m < from + count; m++) {
            indices[m] += base;
        }
        misses.count(from + count);
    }

    @Override
    public void close() {
        context.synchronize();
        hostKeys.close();
        hostVectors.close();
        hostMisses.close();
        hostOutcome.close();
        deviceKeys.close();
        deviceVectors.close();
        deviceMisses.close();
    }
}
