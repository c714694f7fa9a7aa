package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.Consensus;
import java.lang.foreign.MemorySegment;

/**
 * {@link FusedMerge}'s scalar path: its per-element formula in plain Java, element by element. Small tensors
 * ({@link SmallTensors}) run it, and the vector paths fall back to it for a tile's tail.
 *
 * {@snippet :
 * ScalarMerge.range(merge, 0, n, out, DType.BF16);
 * }
 */
final class ScalarMerge {

    private ScalarMerge() {
    }

    /**
     * The javadoc's formula element by element in plain Java, for small tensors ({@link SmallTensors});
     * {@link TileMerge#range} does the same float operations in the same order, so both give the same bits.
     */
    static void range(FusedMerge f, long from, long to, MemorySegment out, DType outType) {
        int m = f.sources().size();
        boolean hasBase = f.base() != null;
        boolean elected = f.consensus() != Consensus.NONE;
        boolean bySum = f.consensus() == Consensus.SUM;
        float[] wd = new float[m];
        for (long i = from; i < to; i++) {
            float b = hasBase ? Floats.read(f.base().data(), f.base().dtype(), i) : 0f;
            for (int s = 0; s < m; s++) {
                TensorView src = f.sources().get(s);
                float x = Floats.read(src.data(), src.dtype(), i);
                float d = hasBase ? x - b : x;
                wd[s] = f.masks()[s].keeps(i, Math.abs(d)) ? (d * f.scales()[s]) * f.weights()[s] : 0f;
            }
            float mixed = 0f;
            if (!elected) {
                for (int s = 0; s < m; s++) {
                    mixed = mixed + wd[s];
                }
                if (f.normalize()) {
                    mixed = mixed / f.divisor();
                }
            } else {
                float elect = 0f;
                for (int s = 0; s < m; s++) {
                    elect = elect + (bySum ? wd[s] : Math.signum(wd[s]));
                }
                boolean up = elect >= 0f;
                float div = 0f;
                for (int s = 0; s < m; s++) {
                    boolean agree = up ? wd[s] > 0f : wd[s] < 0f;
                    mixed = mixed + (agree ? wd[s] : 0f);
                    div = div + (agree ? f.weights()[s] : 0f);
                }
                if (f.normalize()) {
                    mixed = mixed / (div == 0f ? 1f : div);
                }
            }
            if (f.lambda() != 1f) {
                mixed = mixed * f.lambda();
            }
            Floats.write(out, outType, i, hasBase ? b + mixed : mixed);
        }
    }
}
