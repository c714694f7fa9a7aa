package dev.evomerge.checkpoint;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Asks the kernel to start reading a mapped file range into the page cache and returns without waiting
 * ({@code madvise(MADV_WILLNEED)}), so a merge can have the next tensors read from disk while it computes
 * the current one. Without this, a cold checkpoint is read by page faults a small readahead window at a
 * time, each fault waiting for its read. A no-op where the call is not available (non-Linux systems).
 *
 * {@snippet :
 * Readahead.willNeed(view.data());
 * }
 */
public final class Readahead {

    private static final int MADV_WILLNEED = 3;
    private static final MethodHandle MADVISE;
    private static final long PAGE;

    static {
        MethodHandle madvise = null;
        long page = 0;
        if (System.getProperty("os.name").equals("Linux")) {
            Linker linker = Linker.nativeLinker();
            try {
                madvise = downcall(linker, "madvise", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
                MethodHandle getpagesize = downcall(linker, "getpagesize", FunctionDescriptor.of(ValueLayout.JAVA_INT));
                page = getpagesize == null ? 0 : (int) getpagesize.invokeExact();
            } catch (Throwable e) {
                madvise = null;
            }
        }
        MADVISE = page > 0 ? madvise : null;
        PAGE = page;
    }

    private Readahead() {
    }

    private static MethodHandle downcall(Linker linker, String name, FunctionDescriptor type) {
        return linker.defaultLookup().find(name).map(a -> linker.downcallHandle(a, type)).orElse(null);
    }

    /** Whether {@link #willNeed} does anything here. */
    public static boolean available() {
        return MADVISE != null;
    }

    /** Starts reading {@code mapped} (a slice of a file mapping) into the page cache; a refusal is ignored. */
    public static void willNeed(MemorySegment mapped) {
        advise(mapped);
    }

    /** madvise's result for the slice: 0 taken, -1 refused, 1 when nothing was asked (no call here, not mapped). */
    static int advise(MemorySegment mapped) {
        if (MADVISE == null || !mapped.isMapped() || mapped.byteSize() == 0) {
            return 1;
        }
        // madvise takes a page-aligned start; a file mapping starts on a page, so the page holding the
        // slice's first byte is still inside it.
        long start = mapped.address() & -PAGE;
        long length = mapped.address() + mapped.byteSize() - start;
        try {
            return (int) MADVISE.invokeExact(start, length, MADV_WILLNEED);
        } catch (Throwable e) {
            return -1;
        }
    }
}
