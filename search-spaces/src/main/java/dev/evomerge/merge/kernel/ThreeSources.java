package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.Consensus;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link FusedMerge}'s most common cases in one loop each: a base and three sources, either plainly weighted
 * and summed (task arithmetic) or each sparsified and summed under {@code Consensus.SUM}: by magnitude (TIES)
 * or by a recorded random mask (DARE-TIES, after its L1 pass). TIES and DARE-TIES on two sources run the same
 * loops with a third lane that contributes nothing.
 * Every vector goes from the four inputs' memory to one float32 tile in registers, with no per-source tile
 * arrays in between, and the tile is narrowed to the output in a second, L1-resident loop. The float
 * operations and their order are those of the general path, so the bits are the same.
 *
 * {@snippet :
 * ThreeSources fused = ThreeSources.of(merge, outType);   // null when the case does not apply
 * if (fused != null && fused.fits(t0, len)) fused.tile(t0, len, out, outType);
 * }
 */
final class ThreeSources {

    private final FusedMerge f;
    private final boolean elected;
    /** Under SUM: the masks are {@link SourceMask.Packed} bits rather than top sets. */
    private final boolean packed;
    private final MemorySegment b;
    private final MemorySegment x0;
    private final MemorySegment x1;
    private final MemorySegment x2;
    private final boolean bf16b;
    private final boolean bf16x0;
    private final boolean bf16x1;
    private final boolean bf16x2;
    /** Per source (the third a no-op for TIES on two models): weight, scale and, under TIES, the top set. */
    private final float[] weight;
    private final float[] scale;
    private final TopSet[] outer;
    /** The merged tile in float32, before narrowing. */
    private final float[] merged = new float[Tiles.TILE];

    private ThreeSources(FusedMerge f, boolean elected, boolean packed) {
        this.f = f;
        this.elected = elected;
        this.packed = packed;
        this.b = f.base().data();
        this.bf16b = f.base().dtype() == DType.BF16;
        this.x0 = f.sources().get(0).data();
        this.x1 = f.sources().get(1).data();
        this.bf16x0 = f.sources().get(0).dtype() == DType.BF16;
        this.bf16x1 = f.sources().get(1).dtype() == DType.BF16;
        boolean two = f.sources().size() == 2;
        // TIES and DARE-TIES on two models run the three-source loops with a third lane that keeps nothing: it
        // reads the base again (an L1 hit), and its mask (a threshold of +inf, or packed bits and-ed with an
        // all-false mask) sets it to +0, which leaves every sum's bits unchanged.
        this.x2 = two ? b : f.sources().get(2).data();
        this.bf16x2 = two ? bf16b : f.sources().get(2).dtype() == DType.BF16;
        this.weight = new float[3];
        this.scale = new float[] {1f, 1f, 1f};
        this.outer = new TopSet[] {TopSet.NONE, TopSet.NONE, TopSet.NONE};
        for (int s = 0; s < f.sources().size(); s++) {
            weight[s] = f.weights()[s];
            scale[s] = f.scales()[s];
            if (f.masks()[s] instanceof SourceMask.RankBand band) {
                outer[s] = band.outer();
            }
        }
    }

    /**
     * The fused loop for this merge, or null: it needs a base, no f16, and either three sources with no masks
     * and no consensus, or two or three sources under SUM with top-k masks or with packed masks (DARE's random
     * masks are packed by its L1 pass; hashed here, three per vector, this loop measured slower).
     */
    static ThreeSources of(FusedMerge f, DType outType) {
        int n = f.sources().size();
        if (f.base() == null || n < 2 || n > 3 || f.consensus() == Consensus.COUNT
                || outType == DType.F16 || f.base().dtype() == DType.F16) {
            return null;
        }
        boolean elected = f.consensus() == Consensus.SUM;
        boolean packed = f.masks()[0] instanceof SourceMask.Packed;
        if (n == 2 && !elected) {
            return null;   // task arithmetic on two models is WeightedSums'
        }
        for (int s = 0; s < n; s++) {
            TensorView src = f.sources().get(s);
            if (src.dtype() == DType.F16) {
                return null;
            }
            SourceMask m = f.masks()[s];
            boolean fits = !elected ? m instanceof SourceMask.None
                    : packed ? m instanceof SourceMask.Packed
                    : m instanceof SourceMask.RankBand band && band.inner().equals(TopSet.NONE);
            if (!fits) {
                return null;
            }
        }
        return new ThreeSources(f, elected, packed);
    }

    /** Whether the tile is free of a top set's tie cutoff (that one tile takes the general path). */
    boolean fits(long t0, int len) {
        if (!elected || packed) {
            return true;
        }
        for (TopSet top : outer) {
            if (MaskedDelta.straddles(top, t0, len)) {
                return false;
            }
        }
        return true;
    }

    /** Merges elements {@code [t0, t0 + len)} into {@code out}; call only where {@link #fits} holds. */
    void tile(long t0, int len, MemorySegment out, DType outType) {
        int bound = Tiles.F.loopBound(len);
        if (packed) {
            packedLoop(t0, bound);
        } else if (elected) {
            rankedLoop(t0, bound);
        } else {
            plainLoop(t0, bound);
        }
        // Narrowed by a second loop over the L1-resident tile: inside the loop above, the store's code
        // pushes the loop past C2's inlining budget, and a call there boxes every vector.
        Tiles.narrow(merged, bound, out, outType, t0);
        if (bound < len) {
            f.scalarRange(t0 + bound, t0 + len, out, outType);
        }
    }

    /** FusedMerge's direct path (accumulate, then finish) for one vector at a time, in registers. */
    private void plainLoop(long t0, int bound) {
        float s0 = f.scales()[0];
        float s1 = f.scales()[1];
        float s2 = f.scales()[2];
        float w0 = f.weights()[0];
        float w1 = f.weights()[1];
        float w2 = f.weights()[2];
        boolean normalize = f.normalize();
        float divisor = f.divisor();
        float lambda = f.lambda();
        boolean scaleByLambda = lambda != 1f;
        FloatVector zero = FloatVector.zero(Tiles.F);
        MemorySegment bs = Tiles.slice(b, bf16b, t0, bound);
        MemorySegment xs0 = Tiles.slice(x0, bf16x0, t0, bound);
        MemorySegment xs1 = Tiles.slice(x1, bf16x1, t0, bound);
        MemorySegment xs2 = Tiles.slice(x2, bf16x2, t0, bound);
        for (int j = 0; j < bound; j += Tiles.LANES) {
            FloatVector base = Tiles.load(bs, bf16b, j);
            FloatVector d0 = Tiles.load(xs0, bf16x0, j).sub(base);
            FloatVector d1 = Tiles.load(xs1, bf16x1, j).sub(base);
            FloatVector d2 = Tiles.load(xs2, bf16x2, j).sub(base);
            // Starting from +0 like the accumulator tile, so a lone -0 sums to +0 here too.
            FloatVector mixed = zero.add(d0.mul(s0).mul(w0)).add(d1.mul(s1).mul(w1)).add(d2.mul(s2).mul(w2));
            if (normalize) {
                mixed = mixed.div(divisor);
            }
            if (scaleByLambda) {
                mixed = mixed.mul(lambda);
            }
            base.add(mixed).intoArray(merged, j);
        }
    }

    private void rankedLoop(long t0, int bound) {
        float th0 = MaskedDelta.threshold(outer[0], t0);
        float th1 = MaskedDelta.threshold(outer[1], t0);
        float th2 = MaskedDelta.threshold(outer[2], t0);
        float s0 = scale[0];
        float s1 = scale[1];
        float s2 = scale[2];
        float w0 = weight[0];
        float w1 = weight[1];
        float w2 = weight[2];
        boolean unscaled = s0 == 1f && s1 == 1f && s2 == 1f;
        boolean normalize = f.normalize();
        float lambda = f.lambda();
        boolean scaleByLambda = lambda != 1f;
        FloatVector zero = FloatVector.zero(Tiles.F);
        FloatVector one = FloatVector.broadcast(Tiles.F, 1f);
        FloatVector minusOne = FloatVector.broadcast(Tiles.F, -1f);
        MemorySegment bs = Tiles.slice(b, bf16b, t0, bound);
        MemorySegment xs0 = Tiles.slice(x0, bf16x0, t0, bound);
        MemorySegment xs1 = Tiles.slice(x1, bf16x1, t0, bound);
        MemorySegment xs2 = Tiles.slice(x2, bf16x2, t0, bound);
        for (int j = 0; j < bound; j += Tiles.LANES) {
            FloatVector base = Tiles.load(bs, bf16b, j);
            FloatVector d0 = Tiles.load(xs0, bf16x0, j).sub(base);
            FloatVector d1 = Tiles.load(xs1, bf16x1, j).sub(base);
            FloatVector d2 = Tiles.load(xs2, bf16x2, j).sub(base);
            // d * 1 is d bit for bit (NaN included), so without rescale the scale's multiply is skipped.
            FloatVector c0 = zero.blend((unscaled ? d0 : d0.mul(s0)).mul(w0),
                    d0.abs().compare(VectorOperators.GT, th0));
            FloatVector c1 = zero.blend((unscaled ? d1 : d1.mul(s1)).mul(w1),
                    d1.abs().compare(VectorOperators.GT, th1));
            FloatVector c2 = zero.blend((unscaled ? d2 : d2.mul(s2)).mul(w2),
                    d2.abs().compare(VectorOperators.GT, th2));
            // The sign election and sum of FusedMerge's sumElectedThree, written out: a call here would box.
            // No leading +0 here, unlike the reference: on the sign's sum it only turns -0 into +0, which
            // compares the same, and an agreeing term is never -0 (it is kept only when strictly signed).
            FloatVector sign = minusOne.blend(one, c0.add(c1).add(c2).compare(VectorOperators.GE, 0f));
            VectorMask<Float> agree0 = c0.mul(sign).compare(VectorOperators.GT, 0f);
            VectorMask<Float> agree1 = c1.mul(sign).compare(VectorOperators.GT, 0f);
            VectorMask<Float> agree2 = c2.mul(sign).compare(VectorOperators.GT, 0f);
            FloatVector mixed = zero.blend(c0, agree0).add(zero.blend(c1, agree1))
                    .add(zero.blend(c2, agree2));
            if (normalize) {
                FloatVector div = zero.blend(w0, agree0).add(zero.blend(w1, agree1))
                        .add(zero.blend(w2, agree2));
                mixed = mixed.div(div.blend(one, div.compare(VectorOperators.EQ, 0f)));
            }
            if (scaleByLambda) {
                mixed = mixed.mul(lambda);
            }
            base.add(mixed).intoArray(merged, j);
        }
    }

    /**
     * {@link #rankedLoop} with each source's keep mask read from its packed bits (DARE-TIES). The election is
     * written out again on purpose: shared through a helper method it measured many times slower (past C2's
     * inlining budget every vector is boxed), and one loop for both mask kinds slowed TIES by about 10%.
     */
    private void packedLoop(long t0, int bound) {
        SourceMask[] masks = f.masks();
        boolean two = masks.length == 2;
        MemorySegment k0 = ((SourceMask.Packed) masks[0]).bits();
        MemorySegment k1 = ((SourceMask.Packed) masks[1]).bits();
        // DARE-TIES on two models: the third lane reads the first's bits, and an all-false mask clears them.
        MemorySegment k2 = two ? k0 : ((SourceMask.Packed) masks[2]).bits();
        VectorMask<Float> live2 = Tiles.F.maskAll(!two);
        float s0 = scale[0];
        float s1 = scale[1];
        float s2 = scale[2];
        float w0 = weight[0];
        float w1 = weight[1];
        float w2 = weight[2];
        boolean normalize = f.normalize();
        float lambda = f.lambda();
        boolean scaleByLambda = lambda != 1f;
        FloatVector zero = FloatVector.zero(Tiles.F);
        FloatVector one = FloatVector.broadcast(Tiles.F, 1f);
        FloatVector minusOne = FloatVector.broadcast(Tiles.F, -1f);
        MemorySegment bs = Tiles.slice(b, bf16b, t0, bound);
        MemorySegment xs0 = Tiles.slice(x0, bf16x0, t0, bound);
        MemorySegment xs1 = Tiles.slice(x1, bf16x1, t0, bound);
        MemorySegment xs2 = Tiles.slice(x2, bf16x2, t0, bound);
        for (int j = 0; j < bound; j += Tiles.LANES) {
            FloatVector base = Tiles.load(bs, bf16b, j);
            FloatVector d0 = Tiles.load(xs0, bf16x0, j).sub(base);
            FloatVector d1 = Tiles.load(xs1, bf16x1, j).sub(base);
            FloatVector d2 = Tiles.load(xs2, bf16x2, j).sub(base);
            FloatVector c0 = zero.blend(d0.mul(s0).mul(w0), Tiles.packed(k0, t0 + j));
            FloatVector c1 = zero.blend(d1.mul(s1).mul(w1), Tiles.packed(k1, t0 + j));
            FloatVector c2 = zero.blend(d2.mul(s2).mul(w2), Tiles.packed(k2, t0 + j).and(live2));
            // As in rankedLoop.
            FloatVector sign = minusOne.blend(one, c0.add(c1).add(c2).compare(VectorOperators.GE, 0f));
            VectorMask<Float> agree0 = c0.mul(sign).compare(VectorOperators.GT, 0f);
            VectorMask<Float> agree1 = c1.mul(sign).compare(VectorOperators.GT, 0f);
            VectorMask<Float> agree2 = c2.mul(sign).compare(VectorOperators.GT, 0f);
            FloatVector mixed = zero.blend(c0, agree0).add(zero.blend(c1, agree1))
                    .add(zero.blend(c2, agree2));
            if (normalize) {
                FloatVector div = zero.blend(w0, agree0).add(zero.blend(w1, agree1))
                        .add(zero.blend(w2, agree2));
                mixed = mixed.div(div.blend(one, div.compare(VectorOperators.EQ, 0f)));
            }
            if (scaleByLambda) {
                mixed = mixed.mul(lambda);
            }
            base.add(mixed).intoArray(merged, j);
        }
    }

}
