package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.Consensus;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The one fused elementwise merge, as a value (what to merge) that dispatches to its execution paths: a single pass over base and sources that, per element, forms each
 * task vector {@code d = x - base} (or {@code x} without a base), applies the source's mask and rescale
 * factor and its weight, elects the majority sign if asked, sums, normalises, scales by lambda, adds the
 * base and writes the output dtype. Linear, task arithmetic, TIES, DARE, breadcrumbs, DELLA and the final
 * blend of SLERP / model stock / passthrough are all configurations of it.
 *
 * <p>Per element, in this order (the scalar reference the tests check bit for bit):
 * <pre>
 * wd[s]  = keep[s] ? ((d[s] * scale[s]) * weight[s]) : 0
 * NONE:  mixed = sum wd[s];  if normalize: mixed /= divisor
 * SUM / COUNT: up = (sum wd[s] | sum sign(wd[s])) >= 0;  agree[s] = up ? wd[s] > 0 : wd[s] < 0
 *        mixed = sum (agree ? wd : 0);  div = sum (agree ? weight : 0);  div==0 -> 1;  if normalize: mixed /= div
 * if lambda != 1: mixed *= lambda;    out = base != null ? base + mixed : mixed
 * </pre>
 * Tensors below {@link SmallTensors#SCALAR_BELOW} elements run this formula as a plain scalar loop
 * ({@link ScalarMerge}); larger ones run tile by tile ({@link TileMerge}: each source's delta, mask, scale and
 * weight fused into one loop straight from its memory, then the sum or sign election over the tile), or through
 * the specialised loops of {@link ThreeSources} and {@link WeightedSums} where they apply. All give the same bits,
 * except that where the result is NaN its sign and payload may differ: the JIT may order an add's operands
 * either way, and which NaN survives depends on that order.
 *
 * <p>Build one with the named factories ({@link #combination}, {@link #taskVectors}, {@link #weightedSum},
 * {@link #taskArithmetic}); the canonical constructor is public only because a public record's must be.
 *
 * {@snippet :
 * FusedMerge.taskArithmetic(base, sources, weights, masks, scales, new FusedMerge.Mixing(Consensus.SUM, true, 1f, 1f))
 *         .run(out, DType.BF16);
 * }
 *
 * @param base      nullable; without it the sources' values themselves are combined
 * @param divisor   the normaliser for {@code Consensus.NONE} (already zero-guarded by the caller)
 */
public record FusedMerge(TensorView base, List<TensorView> sources, float[] weights, SourceMask[] masks,
                         float[] scales, Consensus consensus, boolean normalize, float divisor, float lambda) {

    public FusedMerge {
        sources = List.copyOf(sources);
        Objects.requireNonNull(consensus, "consensus");
        int n = sources.size();
        if (n == 0) {
            throw new IllegalArgumentException("fused merge needs at least one source");
        }
        if (weights.length != n || masks.length != n || scales.length != n) {
            throw new IllegalArgumentException("fused merge: " + n + " sources but " + weights.length
                    + " weights, " + masks.length + " masks, " + scales.length + " scales");
        }
        weights = weights.clone();
        masks = masks.clone();
        scales = scales.clone();
        long count = sources.getFirst().elementCount();
        for (TensorView v : sources) {
            requireSameCount(v, count);
        }
        if (base != null) {
            requireSameCount(base, count);
        }
    }

    private static void requireSameCount(TensorView v, long count) {
        if (v.elementCount() != count) {
            throw new IllegalArgumentException("tensor '" + v.name() + "' has " + v.elementCount()
                    + " elements, expected " + count);
        }
    }

    /** {@code x} itself, converted to the output dtype: a merge whose only input is one tensor. */
    public static FusedMerge copy(TensorView x) {
        return combination(List.of(x), new float[] {1f});
    }

    /** A plain weighted sum {@code sum c[i] * x[i]} (SLERP, model stock, passthrough, linear without normalising). */
    public static FusedMerge combination(List<TensorView> tensors, float[] coefficients) {
        SourceMask[] none = new SourceMask[tensors.size()];
        float[] ones = new float[tensors.size()];
        java.util.Arrays.fill(none, SourceMask.None.INSTANCE);
        java.util.Arrays.fill(ones, 1f);
        return new FusedMerge(null, tensors, coefficients, none, ones, Consensus.NONE, false, 1f, 1f);
    }

    /**
     * How the weighted deltas are combined: {@code consensus} (sign election or none), whether to normalise,
     * the divisor used without a consensus (already zero-guarded by the caller), and the final scale.
     */
    public record Mixing(Consensus consensus, boolean normalize, float divisor, float lambda) {

        public Mixing {
            Objects.requireNonNull(consensus, "consensus");
        }
    }

    /** Task arithmetic in general: masked, rescaled, weighted deltas of the sources from the base, mixed. */
    public static FusedMerge taskArithmetic(TensorView base, List<TensorView> sources, float[] weights,
                                            SourceMask[] masks, float[] scales, Mixing mixing) {
        return new FusedMerge(base, sources, weights, masks, scales, mixing.consensus(), mixing.normalize(),
                mixing.divisor(), mixing.lambda());
    }

    /** {@code sum w[i] x[i]}, divided by {@code divisor} when {@code normalize} (mergekit's linear). */
    public static FusedMerge weightedSum(List<TensorView> tensors, float[] weights, boolean normalize, float divisor) {
        FusedMerge plain = combination(tensors, weights);
        return new FusedMerge(null, tensors, weights, plain.masks, plain.scales, Consensus.NONE, normalize, divisor,
                1f);
    }

    /** {@code base + sum c[i] * (x[i] - base)} (the spherical methods' task-vector forms). */
    public static FusedMerge taskVectors(TensorView base, List<TensorView> tensors, float[] coefficients) {
        FusedMerge plain = combination(tensors, coefficients);
        return new FusedMerge(java.util.Objects.requireNonNull(base, "base"), tensors, coefficients, plain.masks,
                plain.scales, Consensus.NONE, false, 1f, 1f);
    }

    public long elementCount() {
        return sources.getFirst().elementCount();
    }

    /** Merges the whole tensor into {@code out}, in parallel over chunks. */
    public void run(MemorySegment out, DType outType) {
        long n = elementCount();
        if (out.byteSize() != n * outType.byteSize()) {
            throw new IllegalArgumentException("output for tensor '" + sources.getFirst().name() + "' has "
                    + out.byteSize() + " bytes, expected " + n * outType.byteSize());
        }
        Chunks.forEach(n, Chunks.FINE, (chunk, from, to) -> range(from, to, out, outType));
    }

    /** Merges elements {@code [from, to)} on the calling thread. */
    public void range(long from, long to, MemorySegment out, DType outType) {
        if (SmallTensors.scalar(elementCount())) {
            scalarRange(from, to, out, outType);
            return;
        }
        if (from % 8 != 0 && Arrays.stream(masks).anyMatch(m -> m instanceof SourceMask.Packed)) {
            // Vector loops read packed masks a byte at a time, so they start on a byte boundary.
            long aligned = Math.min(to, (from + 7) & ~7L);
            scalarRange(from, aligned, out, outType);
            from = aligned;
        }
        ThreeSources three = ThreeSources.of(this, outType);
        WeightedSums sums = three == null && outType != DType.F16 ? WeightedSums.of(this) : null;
        if (three != null) {
            threeRange(three, from, to, out, outType);
        } else if (sums != null) {
            for (long t0 = from; t0 < to; t0 += Tiles.TILE) {
                sums.tile(t0, (int) Math.min(Tiles.TILE, to - t0), out, outType);
            }
        } else {
            vectorRange(from, to, out, outType);
        }
    }

    /**
     * Tiles through {@link ThreeSources}, except the one holding a top set's tie cutoff. Dispatched here rather
     * than inside {@link #vectorRange}: there, TIES taking the fused loop trained the JIT's profile of the
     * general path as never used, and a DARE merge after it ran a much slower recompiled loop.
     */
    private void threeRange(ThreeSources three, long from, long to, MemorySegment out, DType outType) {
        for (long t0 = from; t0 < to; t0 += Tiles.TILE) {
            int len = (int) Math.min(Tiles.TILE, to - t0);
            if (three.fits(t0, len)) {
                three.tile(t0, len, out, outType);
            } else {
                vectorRange(t0, t0 + len, out, outType);
            }
        }
    }

    /** The formula in plain scalar Java ({@link ScalarMerge}), for small tensors and tile tails. */
    void scalarRange(long from, long to, MemorySegment out, DType outType) {
        ScalarMerge.range(this, from, to, out, outType);
    }

    /** The Vector API loops ({@link TileMerge}), tile by tile. */
    void vectorRange(long from, long to, MemorySegment out, DType outType) {
        TileMerge.range(this, from, to, out, outType);
    }
}
