package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import java.lang.foreign.MemorySegment;

/**
 * Which tensors the kernels run as plain scalar loops instead of Vector API loops. Vector API code is
 * hundreds of times slower than scalar Java until C2 has compiled it, which a process merging a few small
 * tensors (a demo model, or the norm vectors of a large one) never reaches, while scalar code is quick
 * already under C1. Both forms do the same float operations in the same order, so they give the same bits.
 * This class holds no vector fields, so asking it does not initialise the Vector API.
 *
 * {@snippet :
 * if (SmallTensors.scalar(view.elementCount())) { ... }
 * }
 */
public final class SmallTensors {

    /** Tensors with fewer elements than this take the scalar loops. */
    public static final long SCALAR_BELOW = 1 << 18;

    private SmallTensors() {
    }

    public static boolean scalar(long elements) {
        return elements < SCALAR_BELOW;
    }

    /** {@link Tiles#widen} in plain scalar Java. */
    static void widen(MemorySegment seg, DType type, long start, int len, float[] dst) {
        for (int j = 0; j < len; j++) {
            dst[j] = Floats.read(seg, type, start + j);
        }
    }
}
