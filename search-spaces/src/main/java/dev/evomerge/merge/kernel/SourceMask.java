package dev.evomerge.merge.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Which elements of one source's task vector survive sparsification. Every variant decides from the
 * element's index and |delta| alone, so the fused kernel applies it on the fly without a stored mask
 * (except {@link Stored}, DELLA's per-row rank mask).
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
}
