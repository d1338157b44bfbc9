package io.hps.cache;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Allocates the big vector slabs of the CPU caches, backed by transparent huge pages where the
 * platform allows it: a random row read then costs far fewer TLB misses (a gather of 512-byte rows
 * from a table much larger than the TLB's 4 KiB-page reach runs about 1.5 times as fast).
 *
 * <p>On Linux the slab is an anonymous private {@code mmap} advised with
 * {@code madvise(MADV_HUGEPAGE)}, so it works with {@code transparent_hugepage=madvise} (the
 * common default) as well as {@code always}; it is unmapped when the owning arena closes. Anywhere
 * else, or when {@code mmap} fails, or when {@code -Dhps.cache.hugePages=false}, the slab is a plain
 * {@code arena.allocate}. Either way the memory starts zeroed and is 64-byte aligned.
 * Needs native access ({@code --enable-native-access=ALL-UNNAMED}) for the {@code mmap} path.
 */
final class OffHeapSlab {
    /** Slabs below this size gain nothing from huge pages and take the plain path. */
    static final long HUGE_PAGE_BYTES = 2L << 20;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle[] handles = linuxMemoryCalls();
        MMAP = handles[0];
        MADVISE = handles[1];
        MUNMAP = handles[2];
    }

    private OffHeapSlab() {
    }

    /** A zeroed, 64-byte aligned slab of {@code bytes} that lives as long as {@code arena}. */
    static MemorySegment allocate(Arena arena, long bytes) {
        if (MMAP == null || bytes < HUGE_PAGE_BYTES || !Boolean.parseBoolean(System.getProperty("hps.cache.hugePages", "true"))) {
            return arena.allocate(bytes, 64);
        }
        long mapped = (Math.ceilDiv(bytes, HUGE_PAGE_BYTES) + 1) * HUGE_PAGE_BYTES;
        return map(mapped).map(address -> adopt(arena, address, mapped, bytes))
                .orElseGet(() -> arena.allocate(bytes, 64));
    }

    private static Optional<MemorySegment> map(long bytes) {
        try {
            MemorySegment address = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, bytes, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (address.address() == -1L) {
                return Optional.empty();
            }
            int ignoredAdvice = (int) MADVISE.invokeExact(address, bytes, MADV_HUGEPAGE);
            return Optional.of(address);
        } catch (Throwable e) {
            return Optional.empty();
        }
    }

    /** The mapping as a segment of {@code arena}, sliced from its first huge-page boundary. */
    private static MemorySegment adopt(Arena arena, MemorySegment address, long mapped, long bytes) {
        MemorySegment whole = address.reinterpret(mapped, arena, start -> unmap(start, mapped));
        long skip = -address.address() & (HUGE_PAGE_BYTES - 1);
        return whole.asSlice(skip, bytes);
    }

    private static void unmap(MemorySegment start, long mapped) {
        try {
            int ignored = (int) MUNMAP.invokeExact(start, mapped);
        } catch (Throwable e) {
            throw new IllegalStateException("munmap failed: bytes=" + mapped, e);
        }
    }

    private static MethodHandle[] linuxMemoryCalls() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return new MethodHandle[3];
        }
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            return new MethodHandle[] {
                linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)),
                linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)),
                linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)),
            };
        } catch (RuntimeException e) {
            return new MethodHandle[3];
        }
    }
}
