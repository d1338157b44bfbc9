package io.hps.bench.hps;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for the gather baselines on transparent huge pages: an anonymous {@code mmap}
 * advised with {@code madvise(MADV_HUGEPAGE)}, sliced from its first 2 MiB boundary and unmapped
 * when the arena closes, as the CPU caches allocate their slabs. Linux only; needs native access.
 */
final class HugePageMemory {
    private static final long HUGE_PAGE_BYTES = 2L << 20;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MADVISE = LINKER.downcallHandle(LINKER.defaultLookup().find("madvise").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle MUNMAP = LINKER.downcallHandle(LINKER.defaultLookup().find("munmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private HugePageMemory() {
    }

    /** Zeroed memory of {@code bytes}, 2 MiB aligned, living as long as {@code arena}. */
    static MemorySegment allocate(Arena arena, long bytes) {
        long mapped = (Math.ceilDiv(bytes, HUGE_PAGE_BYTES) + 1) * HUGE_PAGE_BYTES;
        try {
            MemorySegment start = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, mapped, 0x3, 0x22, -1, 0L);
            if (start.address() == -1L) {
                throw new IllegalStateException("mmap failed: bytes=" + mapped);
            }
            int advised = (int) MADVISE.invokeExact(start, mapped, 14);
            long skip = -start.address() & (HUGE_PAGE_BYTES - 1);
            return start.reinterpret(mapped, arena, s -> unmap(s, mapped)).asSlice(skip, bytes);
        } catch (Throwable e) {
            throw new IllegalStateException("huge page allocation failed: bytes=" + bytes, e);
        }
    }

    private static void unmap(MemorySegment start, long mapped) {
        try {
            int unmapped = (int) MUNMAP.invokeExact(start, mapped);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed: bytes=" + mapped, e);
        }
    }
}
