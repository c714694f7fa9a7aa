package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which tensors the kernels run as plain scalar loops instead of Vector API loops. Vector API code is
 * hundreds of times slower than scalar Java until C2 has compiled it, which a process merging a few small
 * tensors (a demo model, or the norm vectors of a large one) never reaches, while scalar code is quick
 * already under C1. Once compiled, though, the vector loops are faster at every size (on the kernel bench's
 * data TIES 1.7x at 4096 elements, 14x at 110K), so small tensors take them too once the process has merged
 * {@link #WARM_AFTER} elements of large tensors: a search's later merges, and a one-off merge's small tensors
 * after its embeddings. Both forms
 * do the same float operations in the same order, so they give the same bits.
 * This class holds no vector fields, so asking it does not initialise the Vector API.
 *
 * {@snippet :
 * if (SmallTensors.scalar(view.elementCount())) { ... }
 * SmallTensors.merged(task.elementCount());   // after each tensor a merge executor runs
 * }
 */
public final class SmallTensors {

    /** Tensors with fewer elements than this take the scalar loops until the process is warm. */
    public static final long SCALAR_BELOW = 1 << 18;

    /**
     * Elements of large tensors merged before small tensors take the vector loops as well. In a one-off merge of
     * the bench model, C2 had compiled every loop by the end of its 28M-element embeddings; this is a little more.
     */
    public static final long WARM_AFTER = 1L << 25;

    private static final AtomicLong LARGE_ELEMENTS = new AtomicLong();
    private static volatile boolean warm;

    private SmallTensors() {
    }

    public static boolean scalar(long elements) {
        return elements < SCALAR_BELOW && !warm;
    }

    /** Records one merged tensor; large ones count towards {@link #WARM_AFTER}. */
    public static void merged(long elements) {
        if (!warm && elements >= SCALAR_BELOW && LARGE_ELEMENTS.addAndGet(elements) >= WARM_AFTER) {
            warm = true;
        }
    }

    /** Whether small tensors take the vector loops now. */
    public static boolean warm() {
        return warm;
    }

    /** Sets the choice and restarts the count, for tests and benchmarks that need one path or the other. */
    public static void warm(boolean on) {
        LARGE_ELEMENTS.set(0);
        warm = on;
    }

    /** {@link Tiles#widen} in plain scalar Java. */
    static void widen(MemorySegment seg, DType type, long start, int len, float[] dst) {
        for (int j = 0; j < len; j++) {
            dst[j] = Floats.read(seg, type, start + j);
        }
    }
}
