package dev.evomerge.eval.runtime;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.Optional;

/**
 * Tells glibc's allocator to keep freed memory for the next candidate instead of handing it back to the kernel.
 *
 * <p>Every candidate allocates the same native buffers again: merged tensors, torch's weights and activations.
 * With glibc's defaults much of it went back to the kernel when freed (large buffers are unmapped, the top of the
 * heap is trimmed), so each candidate faulted its pages in afresh, each zeroed by the kernel.
 * On the generated models of {@code scripts/bench-cluster} a lone worker faulted about 110,000 pages a second, a
 * quarter of its CPU time went to the kernel, and a candidate took 1.61-1.84 s from run to run; with freed memory
 * kept, about 4,000 faults a second and 1.38-1.45 s (docs/benchmarks.md#cluster). The cost: a process keeps the
 * native memory it has freed (up to 1 GiB at the heap's top) until it exits, and the next candidate reuses it.
 *
 * <p>Nothing is changed where there is no glibc {@code mallopt}, or where the user tunes the allocator themselves
 * ({@code MALLOC_*} variables, or {@code malloc} in {@code GLIBC_TUNABLES}).
 */
public final class NativeHeap {

    // mallopt's parameter numbers, from glibc's malloc.h.
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;

    /**
     * The ceiling of the threshold glibc adjusts by itself on 64-bit systems: buffers above it (a 7B model's large
     * matrices) are still mapped and handed back at once, so what a process keeps is its many smaller buffers.
     */
    private static final int MMAP_THRESHOLD = 32 << 20;
    private static final int TRIM_THRESHOLD = 1 << 30;
    private static final int TOP_PAD = 64 << 20;

    private static boolean done;

    private NativeHeap() {
    }

    /**
     * Sets the allocator to keep freed memory, once per process; whether it was set (false without glibc, or when
     * the environment already tunes it).
     */
    public static synchronized boolean keepFreedMemory() {
        if (done) {
            return true;
        }
        if (userTuned(System.getenv())) {
            return false;
        }
        Optional<MethodHandle> mallopt = mallopt();
        if (mallopt.isEmpty()) {
            return false;
        }
        try {
            MethodHandle m = mallopt.get();
            done = (int) m.invokeExact(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                    & (int) m.invokeExact(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
                    & (int) m.invokeExact(M_TOP_PAD, TOP_PAD) == 1;
        } catch (Throwable e) {
            return false;   // an allocator that takes other parameters: its defaults stay
        }
        return done;
    }

    /** Whether the environment already sets glibc's allocator, which then stays as the user set it. */
    static boolean userTuned(Map<String, String> env) {
        return env.keySet().stream().anyMatch(k -> k.startsWith("MALLOC_"))
                || env.getOrDefault("GLIBC_TUNABLES", "").contains("malloc");
    }

    private static Optional<MethodHandle> mallopt() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return Optional.empty();
        }
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> symbol = linker.defaultLookup().find("mallopt");
        return symbol.map(s -> linker.downcallHandle(s,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)));
    }
}
