package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.Consensus;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * {@link FusedMerge}'s plain weighted sums without a base (linear; the final blend of SLERP and model stock)
 * over two to four bf16/f32 sources, or of two sources' deltas from a base (task arithmetic on two models;
 * three are {@link ThreeSources}'), in one loop per case with the running sum in a register. The
 * general path adds each source into a tile array, loading and storing the sum once per source; here each
 * vector goes from the sources' memory to one float32 tile, which a second, L1-resident loop narrows to the
 * output. The float operations and their order are the general path's, so the bits are the same.
 *
 * {@snippet :
 * WeightedSums sums = WeightedSums.of(merge);   // null when the case does not apply
 * if (sums != null) sums.tile(t0, len, out, outType);
 * }
 */
final class WeightedSums {

    private final FusedMerge f;
    private final int n;
    /** The base's memory, or null. */
    private final MemorySegment b;
    private final boolean bf16b;
    private final MemorySegment[] x;
    private final boolean[] bf16;
    /** The merged tile in float32, before narrowing. */
    private final float[] merged = new float[Tiles.TILE];

    private WeightedSums(FusedMerge f) {
        this.f = f;
        this.n = f.sources().size();
        this.b = f.base() == null ? null : f.base().data();
        this.bf16b = f.base() != null && f.base().dtype() == DType.BF16;
        this.x = new MemorySegment[n];
        this.bf16 = new boolean[n];
        for (int s = 0; s < n; s++) {
            x[s] = f.sources().get(s).data();
            bf16[s] = f.sources().get(s).dtype() == DType.BF16;
        }
    }

    /**
     * The fused loop for this merge, or null: no masks, no consensus, no f16, and either no base and 2 to 4
     * sources or a base and 2 sources.
     */
    static WeightedSums of(FusedMerge f) {
        int n = f.sources().size();
        boolean fits = f.base() == null ? n >= 2 && n <= 4 : n == 2 && f.base().dtype() != DType.F16;
        if (!fits || f.consensus() != Consensus.NONE) {
            return null;
        }
        for (int s = 0; s < n; s++) {
            TensorView src = f.sources().get(s);
            if (src.dtype() == DType.F16 || !(f.masks()[s] instanceof SourceMask.None)) {
                return null;
            }
        }
        return new WeightedSums(f);
    }

    /** Merges elements {@code [t0, t0 + len)} into {@code out}. */
    void tile(long t0, int len, MemorySegment out, DType outType) {
        int bound = Tiles.F.loopBound(len);
        if (b != null) {
            twoFromBase(t0, bound);
        } else {
            switch (n) {
                case 2 -> two(t0, bound);
                case 3 -> three(t0, bound);
                default -> four(t0, bound);
            }
            if (f.normalize() || f.lambda() != 1f) {
                finish(bound);
            }
        }
        Tiles.narrow(merged, bound, out, outType, t0);
        if (bound < len) {
            f.scalarRange(t0 + bound, t0 + len, out, outType);
        }
    }

    /** Normalises and scales the summed tile, in a second L1-resident loop as {@link ThreeSources} narrows. */
    private void finish(int bound) {
        boolean normalize = f.normalize();
        float divisor = f.divisor();
        float lambda = f.lambda();
        for (int j = 0; j < bound; j += Tiles.LANES) {
            FloatVector mixed = FloatVector.fromArray(Tiles.F, merged, j);
            if (normalize) {
                mixed = mixed.div(divisor);
            }
            if (lambda != 1f) {
                mixed = mixed.mul(lambda);
            }
            mixed.intoArray(merged, j);
        }
    }

    // One loop per source count: a loop over the sources inside would keep the sum in memory, and a helper
    // taking vectors would box them. Each term is ((x * scale) * weight), summed from +0 as the general path.

    private void two(long t0, int bound) {
        MemorySegment a = Tiles.slice(x[0], bf16[0], t0, bound);
        MemorySegment b = Tiles.slice(x[1], bf16[1], t0, bound);
        float sa = f.scales()[0];
        float sb = f.scales()[1];
        float wa = f.weights()[0];
        float wb = f.weights()[1];
        FloatVector zero = FloatVector.zero(Tiles.F);
        for (int j = 0; j < bound; j += Tiles.LANES) {
            zero.add(Tiles.load(a, bf16[0], j).mul(sa).mul(wa))
                    .add(Tiles.load(b, bf16[1], j).mul(sb).mul(wb))
                    .intoArray(merged, j);
        }
    }

    private void three(long t0, int bound) {
        MemorySegment a = Tiles.slice(x[0], bf16[0], t0, bound);
        MemorySegment b = Tiles.slice(x[1], bf16[1], t0, bound);
        MemorySegment c = Tiles.slice(x[2], bf16[2], t0, bound);
        float sa = f.scales()[0];
        float sb = f.scales()[1];
        float sc = f.scales()[2];
        float wa = f.weights()[0];
        float wb = f.weights()[1];
        float wc = f.weights()[2];
        FloatVector zero = FloatVector.zero(Tiles.F);
        for (int j = 0; j < bound; j += Tiles.LANES) {
            zero.add(Tiles.load(a, bf16[0], j).mul(sa).mul(wa))
                    .add(Tiles.load(b, bf16[1], j).mul(sb).mul(wb))
                    .add(Tiles.load(c, bf16[2], j).mul(sc).mul(wc))
                    .intoArray(merged, j);
        }
    }

    private void four(long t0, int bound) {
        MemorySegment a = Tiles.slice(x[0], bf16[0], t0, bound);
        MemorySegment b = Tiles.slice(x[1], bf16[1], t0, bound);
        MemorySegment c = Tiles.slice(x[2], bf16[2], t0, bound);
        MemorySegment d = Tiles.slice(x[3], bf16[3], t0, bound);
        float sa = f.scales()[0];
        float sb = f.scales()[1];
        float sc = f.scales()[2];
        float sd = f.scales()[3];
        float wa = f.weights()[0];
        float wb = f.weights()[1];
        float wc = f.weights()[2];
        float wd = f.weights()[3];
        FloatVector zero = FloatVector.zero(Tiles.F);
        for (int j = 0; j < bound; j += Tiles.LANES) {
            zero.add(Tiles.load(a, bf16[0], j).mul(sa).mul(wa))
                    .add(Tiles.load(b, bf16[1], j).mul(sb).mul(wb))
                    .add(Tiles.load(c, bf16[2], j).mul(sc).mul(wc))
                    .add(Tiles.load(d, bf16[3], j).mul(sd).mul(wd))
                    .intoArray(merged, j);
        }
    }

    /** Task arithmetic on two models: ThreeSources' plain loop for two sources. */
    private void twoFromBase(long t0, int bound) {
        MemorySegment base = Tiles.slice(b, bf16b, t0, bound);
        MemorySegment a = Tiles.slice(x[0], bf16[0], t0, bound);
        MemorySegment c = Tiles.slice(x[1], bf16[1], t0, bound);
        float sa = f.scales()[0];
        float sc = f.scales()[1];
        float wa = f.weights()[0];
        float wc = f.weights()[1];
        boolean normalize = f.normalize();
        float divisor = f.divisor();
        float lambda = f.lambda();
        boolean scaleByLambda = lambda != 1f;
        FloatVector zero = FloatVector.zero(Tiles.F);
        for (int j = 0; j < bound; j += Tiles.LANES) {
            FloatVector bv = Tiles.load(base, bf16b, j);
            FloatVector mixed = zero.add(Tiles.load(a, bf16[0], j).sub(bv).mul(sa).mul(wa))
                    .add(Tiles.load(c, bf16[1], j).sub(bv).mul(sc).mul(wc));
            if (normalize) {
                mixed = mixed.div(divisor);
            }
            if (scaleByLambda) {
                mixed = mixed.mul(lambda);
            }
            bv.add(mixed).intoArray(merged, j);
        }
    }
}
