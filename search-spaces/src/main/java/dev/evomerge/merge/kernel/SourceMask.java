package dev.evomerge.merge.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Which elements of one source's task vector survive sparsification. Every variant decides from the
 * element's index and |delta| alone, so the fused kernel applies it on the fly without a stored mask
 * (except {@link Stored}, DELLA's per-row rank mask, and {@link Packed}, a random mask recorded once).
 *
 * {@snippet :
 * SourceMask ties = new SourceMask.RankBand(topK, TopSet.NONE);        // k largest |delta|
 * SourceMask dare = SourceMask.Random.of(seed, sourceIndex, density);  // Bernoulli(density)
 * }
 */
public sealed interface SourceMask {

    /** Whether element {@code index}, whose |delta| is {@code magnitude}, is kept (scalar reference). */
    boolean keeps(long index, float magnitude);

    /** Keeps everything. */
    record None() implements SourceMask {
        public static final None INSTANCE = new None();

        @Override
        public boolean keeps(long index, float magnitude) {
            return true;
        }
    }

    /**
     * Keeps elements in the top set {@code outer} but not in the top set {@code inner} (breadcrumbs drops
     * the largest outliers; TIES uses {@code inner = TopSet.NONE}).
     */
    record RankBand(TopSet outer, TopSet inner) implements SourceMask {
        @Override
        public boolean keeps(long index, float magnitude) {
            return outer.contains(magnitude, index) && !inner.contains(magnitude, index);
        }
    }

    /** Keeps element i when {@code MaskHash.bits24(seed, stream, i) < threshold}. */
    record Random(long seed, int stream, int threshold) implements SourceMask {
        public static Random of(long seed, int stream, double density) {
            return new Random(seed, stream, MaskHash.threshold(density));
        }

        @Override
        public boolean keeps(long index, float magnitude) {
            return MaskHash.bits24(seed, stream, index) < threshold;
        }
    }

    /** One byte per element, non-zero = keep. */
    record Stored(MemorySegment bytes) implements SourceMask {
        @Override
        public boolean keeps(long index, float magnitude) {
            return bytes.get(ValueLayout.JAVA_BYTE, index) != 0;
        }
    }

    /**
     * One bit per element, set = keep (element i is bit {@code i % 8} of byte {@code i / 8}): a {@link Random}
     * mask that DARE's L1 pass recorded while hashing it, so that the merge pass reads 1 bit per element
     * instead of hashing again (see {@link Reductions#l1BeforeAfter}).
     */
    record Packed(MemorySegment bits) implements SourceMask {
        /** Zeroed bits for {@code n} elements. */
        public static Packed allocate(Arena arena, long n) {
            return new Packed(arena.allocate(Math.max(1, (n + 7) >>> 3)));
        }

        @Override
        public boolean keeps(long index, float magnitude) {
            return (bits.get(ValueLayout.JAVA_BYTE, index >>> 3) >> (index & 7) & 1) != 0;
        }

        void set(long index) {
            long at = index >>> 3;
            bits.set(ValueLayout.JAVA_BYTE, at, (byte) (bits.get(ValueLayout.JAVA_BYTE, at) | 1 << (index & 7)));
        }
    }
}
