package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.Consensus;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The one fused elementwise merge loop: a single pass over base and sources that, per element, forms each
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
 * Tensors below {@link SmallTensors#SCALAR_BELOW} elements run this formula as a plain scalar loop; larger
 * ones run tile by tile with each source's delta, mask, scale and weight fused into one loop straight from
 * its memory ({@link MaskedDelta}), then the sum or sign election over the tile. Both give the same bits,
 * except that where the result is NaN its sign and payload may differ: the JIT may order an add's operands
 * either way, and which NaN survives depends on that order.
 *
 * {@snippet :
 * new FusedMerge(base, sources, weights, masks, scales, Consensus.SUM, true, 1f, 1f).run(out, DType.BF16);
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

    /** A plain weighted sum {@code sum c[i] * x[i]} (SLERP, model stock, passthrough, linear without normalising). */
    public static FusedMerge combination(List<TensorView> tensors, float[] coefficients) {
        SourceMask[] none = new SourceMask[tensors.size()];
        float[] ones = new float[tensors.size()];
        java.util.Arrays.fill(none, SourceMask.None.INSTANCE);
        java.util.Arrays.fill(ones, 1f);
        return new FusedMerge(null, tensors, coefficients, none, ones, Consensus.NONE, false, 1f, 1f);
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

    /**
     * The javadoc's formula element by element in plain Java, for small tensors ({@link SmallTensors});
     * {@link #vectorRange} does the same float operations in the same order, so both give the same bits.
     */
    void scalarRange(long from, long to, MemorySegment out, DType outType) {
        int m = sources.size();
        boolean hasBase = base != null;
        boolean elected = consensus != Consensus.NONE;
        boolean bySum = consensus == Consensus.SUM;
        float[] wd = new float[m];
        for (long i = from; i < to; i++) {
            float b = hasBase ? Floats.read(base.data(), base.dtype(), i) : 0f;
            for (int s = 0; s < m; s++) {
                TensorView src = sources.get(s);
                float x = Floats.read(src.data(), src.dtype(), i);
                float d = hasBase ? x - b : x;
                wd[s] = masks[s].keeps(i, Math.abs(d)) ? (d * scales[s]) * weights[s] : 0f;
            }
            float mixed = 0f;
            if (!elected) {
                for (int s = 0; s < m; s++) {
                    mixed = mixed + wd[s];
                }
                if (normalize) {
                    mixed = mixed / divisor;
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
                    div = div + (agree ? weights[s] : 0f);
                }
                if (normalize) {
                    mixed = mixed / (div == 0f ? 1f : div);
                }
            }
            if (lambda != 1f) {
                mixed = mixed * lambda;
            }
            Floats.write(out, outType, i, hasBase ? b + mixed : mixed);
        }
    }

    /** Merges elements {@code [from, to)} with the Vector API loops, tile by tile. */
    void vectorRange(long from, long to, MemorySegment out, DType outType) {
        if (isDirect()) {
            directRange(from, to, out, outType);
            return;
        }
        Scratch s = new Scratch(sources.size());
        for (long t0 = from; t0 < to; t0 += Tiles.TILE) {
            int len = (int) Math.min(Tiles.TILE, to - t0);
            if (base != null) {
                Tiles.widen(base.data(), base.dtype(), t0, len, s.base);
            }
            float[] b = base != null ? s.base : null;
            for (int i = 0; i < sources.size(); i++) {
                TensorView src = sources.get(i);
                if (MaskedDelta.fits(src, masks[i], b, t0, len)) {
                    MaskedDelta.weighted(src, masks[i], t0, len, b, scales[i], weights[i], s.wd[i]);
                } else {
                    delta(src.data(), src.dtype(), t0, len, b, s.x);
                    applyMask(masks[i], t0, len, s.x, s.wd[i], scales[i], weights[i]);
                }
            }
            if (consensus == Consensus.NONE) {
                sumPlain(s, len);
            } else {
                sumElected(s, len);
            }
            Tiles.narrow(s.out, len, out, outType, t0);
        }
    }

    /**
     * Plain weighted sums (no masks, no election) over bf16/f32 inputs take a leaner path: one fused loop
     * per source adds its weighted delta into a tile accumulator (the segment stays loop-invariant, so its
     * checks hoist), with the same operations in the same order as the general path.
     */
    private boolean isDirect() {
        if (consensus != Consensus.NONE || (base != null && base.dtype() == DType.F16)) {
            return false;
        }
        for (int i = 0; i < masks.length; i++) {
            if (!(masks[i] instanceof SourceMask.None) || sources.get(i).dtype() == DType.F16) {
                return false;
            }
        }
        return true;
    }

    private void directRange(long from, long to, MemorySegment out, DType outType) {
        int n = sources.size();
        boolean hasBase = base != null;
        float[] b = new float[Tiles.TILE];
        float[] acc = new float[Tiles.TILE];
        for (long t0 = from; t0 < to; t0 += Tiles.TILE) {
            int len = (int) Math.min(Tiles.TILE, to - t0);
            if (hasBase) {
                Tiles.widen(base.data(), base.dtype(), t0, len, b);
            }
            Arrays.fill(acc, 0f);
            for (int k = 0; k < n; k++) {
                TensorView src = sources.get(k);
                accumulate(src.data(), src.dtype(), t0, len, hasBase ? b : null, scales[k], weights[k], acc);
            }
            finish(acc, b, len, hasBase);
            Tiles.narrow(acc, len, out, outType, t0);
        }
    }

    /** {@code acc += ((x - b) * scale) * weight} straight from one source's memory: one loop per source. */
    private static void accumulate(MemorySegment x, DType type, long t0, int len, float[] b, float scale,
                                   float weight, float[] acc) {
        boolean bf16 = type == DType.BF16;
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        if (b != null) {
            MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
            for (; j < bound; j += Tiles.LANES) {
                FloatVector d = Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j));
                FloatVector.fromArray(Tiles.F, acc, j).add(d.mul(scale).mul(weight)).intoArray(acc, j);
            }
        } else {
            MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
            for (; j < bound; j += Tiles.LANES) {
                FloatVector d = Tiles.load(xs, bf16, j);
                FloatVector.fromArray(Tiles.F, acc, j).add(d.mul(scale).mul(weight)).intoArray(acc, j);
            }
        }
        for (; j < len; j++) {
            float v = Floats.read(x, type, t0 + j);
            float d = b != null ? v - b[j] : v;
            acc[j] = acc[j] + (d * scale) * weight;
        }
    }

    private void finish(float[] acc, float[] b, int len, boolean hasBase) {
        boolean scaleByLambda = lambda != 1f;
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        for (; j < bound; j += Tiles.LANES) {
            FloatVector mixed = FloatVector.fromArray(Tiles.F, acc, j);
            if (normalize) {
                mixed = mixed.div(divisor);
            }
            if (scaleByLambda) {
                mixed = mixed.mul(lambda);
            }
            if (hasBase) {
                mixed = FloatVector.fromArray(Tiles.F, b, j).add(mixed);
            }
            mixed.intoArray(acc, j);
        }
        for (; j < len; j++) {
            float mixed = acc[j];
            if (normalize) {
                mixed = mixed / divisor;
            }
            if (scaleByLambda) {
                mixed = mixed * lambda;
            }
            acc[j] = hasBase ? b[j] + mixed : mixed;
        }
    }

    /** {@code dst = x - b} (or {@code x} when b is null), widening x straight from memory in the same loop. */
    static void delta(MemorySegment x, DType type, long t0, int len, float[] b, float[] dst) {
        if (type == DType.F16 || b == null) {
            Tiles.widen(x, type, t0, len, dst);
            if (b != null) {
                subtract(dst, b, len);
            }
            return;
        }
        boolean bf16 = type == DType.BF16;
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
        for (; j < bound; j += Tiles.LANES) {
            Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j)).intoArray(dst, j);
        }
        for (; j < len; j++) {
            dst[j] = Floats.read(x, type, t0 + j) - b[j];
        }
    }

    /** {@link #delta} in plain scalar Java, for small tensors. */
    static void deltaScalar(MemorySegment x, DType type, long t0, int len, float[] b, float[] dst) {
        for (int j = 0; j < len; j++) {
            float v = Floats.read(x, type, t0 + j);
            dst[j] = b != null ? v - b[j] : v;
        }
    }

    static void subtract(float[] x, float[] b, int len) {
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        for (; j < bound; j += Tiles.LANES) {
            FloatVector.fromArray(Tiles.F, x, j).sub(FloatVector.fromArray(Tiles.F, b, j)).intoArray(x, j);
        }
        for (; j < len; j++) {
            x[j] = x[j] - b[j];
        }
    }

    /** {@code dst = keep ? (d * scale) * weight : 0}; with scale = weight = 1 it is the masked delta. */
    static void applyMask(SourceMask mask, long t0, int len, float[] d, float[] dst, float scale, float weight) {
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        FloatVector zero = FloatVector.zero(Tiles.F);
        switch (mask) {
            case SourceMask.None none -> {
                for (; j < bound; j += Tiles.LANES) {
                    FloatVector.fromArray(Tiles.F, d, j).mul(scale).mul(weight).intoArray(dst, j);
                }
            }
            case SourceMask.RankBand band -> {
                IntVector iota = IntVector.zero(Tiles.I).addIndex(1);
                TopSet outer = band.outer();
                TopSet inner = band.inner();
                int outerCut = relativeCutoff(outer.cutoff(), t0);
                int innerCut = relativeCutoff(inner.cutoff(), t0);
                boolean noInner = inner.equals(TopSet.NONE);
                for (; j < bound; j += Tiles.LANES) {
                    FloatVector v = FloatVector.fromArray(Tiles.F, d, j);
                    FloatVector a = v.abs();
                    VectorMask<Float> keep = a.compare(VectorOperators.GT, outer.value());
                    VectorMask<Float> tie = a.compare(VectorOperators.EQ, outer.value());
                    if (tie.anyTrue()) {
                        keep = keep.or(tie.and(iota.add(j).compare(VectorOperators.LT, outerCut).cast(Tiles.F)));
                    }
                    if (!noInner) {
                        VectorMask<Float> inInner = a.compare(VectorOperators.GT, inner.value())
                                .or(a.compare(VectorOperators.EQ, inner.value())
                                        .and(iota.add(j).compare(VectorOperators.LT, innerCut).cast(Tiles.F)));
                        keep = keep.andNot(inInner);
                    }
                    zero.blend(v.mul(scale).mul(weight), keep).intoArray(dst, j);
                }
            }
            case SourceMask.Random random -> {
                IntVector iota = IntVector.zero(Tiles.I).addIndex(1);
                // Tiles never straddle a 2^32 boundary (TILE divides 2^32), so one key serves the tile.
                long key = MaskHash.key(random.seed(), random.stream(), t0 >>> 32);
                int low = (int) t0;
                int threshold = random.threshold();
                for (; j < bound; j += Tiles.LANES) {
                    IntVector bits = MaskHash.bits24(iota.add(low + j), key);
                    VectorMask<Float> keep = bits.compare(VectorOperators.LT, threshold).cast(Tiles.F);
                    FloatVector v = FloatVector.fromArray(Tiles.F, d, j);
                    zero.blend(v.mul(scale).mul(weight), keep).intoArray(dst, j);
                }
            }
            case SourceMask.Packed packed -> {
                for (; j < bound; j += Tiles.LANES) {
                    VectorMask<Float> keep = Tiles.packed(packed.bits(), t0 + j);
                    FloatVector v = FloatVector.fromArray(Tiles.F, d, j);
                    zero.blend(v.mul(scale).mul(weight), keep).intoArray(dst, j);
                }
            }
            case SourceMask.Stored stored -> {
                for (; j < len; j++) {
                    dst[j] = stored.bytes().get(ValueLayout.JAVA_BYTE, t0 + j) != 0 ? (d[j] * scale) * weight : 0f;
                }
            }
        }
        for (; j < len; j++) {
            dst[j] = mask.keeps(t0 + j, Math.abs(d[j])) ? (d[j] * scale) * weight : 0f;
        }
    }

    private static int relativeCutoff(long cutoff, long t0) {
        return (int) Math.max(0, Math.min(Tiles.TILE, cutoff - t0));
    }

    private void sumPlain(Scratch s, int len) {
        int n = sources.size();
        boolean hasBase = base != null;
        boolean scaleByLambda = lambda != 1f;
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        for (; j < bound; j += Tiles.LANES) {
            FloatVector mixed = FloatVector.zero(Tiles.F);
            for (int i = 0; i < n; i++) {
                mixed = mixed.add(FloatVector.fromArray(Tiles.F, s.wd[i], j));
            }
            if (normalize) {
                mixed = mixed.div(divisor);
            }
            if (scaleByLambda) {
                mixed = mixed.mul(lambda);
            }
            if (hasBase) {
                mixed = FloatVector.fromArray(Tiles.F, s.base, j).add(mixed);
            }
            mixed.intoArray(s.out, j);
        }
        for (; j < len; j++) {
            float mixed = 0f;
            for (int i = 0; i < n; i++) {
                mixed = mixed + s.wd[i][j];
            }
            if (normalize) {
                mixed = mixed / divisor;
            }
            if (scaleByLambda) {
                mixed = mixed * lambda;
            }
            s.out[j] = hasBase ? s.base[j] + mixed : mixed;
        }
    }

    /**
     * {@link #sumElected} unrolled for three sources under {@code Consensus.SUM} (the common TIES / DARE
     * recipe): the same operations in the same order, with every vector in a register.
     */
    private void sumElectedThree(Scratch s, int len) {
        float[] wd0 = s.wd[0];
        float[] wd1 = s.wd[1];
        float[] wd2 = s.wd[2];
        float k0 = weights[0];
        float k1 = weights[1];
        float k2 = weights[2];
        boolean hasBase = base != null;
        boolean scaleByLambda = lambda != 1f;
        FloatVector zero = FloatVector.zero(Tiles.F);
        FloatVector one = FloatVector.broadcast(Tiles.F, 1f);
        FloatVector minusOne = FloatVector.broadcast(Tiles.F, -1f);
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        for (; j < bound; j += Tiles.LANES) {
            FloatVector a = FloatVector.fromArray(Tiles.F, wd0, j);
            FloatVector b = FloatVector.fromArray(Tiles.F, wd1, j);
            FloatVector c = FloatVector.fromArray(Tiles.F, wd2, j);
            FloatVector sign = minusOne.blend(one, zero.add(a).add(b).add(c).compare(VectorOperators.GE, 0f));
            VectorMask<Float> agreeA = a.mul(sign).compare(VectorOperators.GT, 0f);
            VectorMask<Float> agreeB = b.mul(sign).compare(VectorOperators.GT, 0f);
            VectorMask<Float> agreeC = c.mul(sign).compare(VectorOperators.GT, 0f);
            FloatVector mixed = zero.add(zero.blend(a, agreeA)).add(zero.blend(b, agreeB)).add(zero.blend(c, agreeC));
            FloatVector div = zero.add(zero.blend(k0, agreeA)).add(zero.blend(k1, agreeB)).add(zero.blend(k2, agreeC));
            div = div.blend(one, div.compare(VectorOperators.EQ, 0f));
            if (normalize) {
                mixed = mixed.div(div);
            }
            if (scaleByLambda) {
                mixed = mixed.mul(lambda);
            }
            if (hasBase) {
                mixed = FloatVector.fromArray(Tiles.F, s.base, j).add(mixed);
            }
            mixed.intoArray(s.out, j);
        }
        for (; j < len; j++) {
            s.out[j] = electScalar(s, j);
        }
    }

    private void sumElected(Scratch s, int len) {
        int n = sources.size();
        if (n == 3 && consensus == Consensus.SUM) {
            sumElectedThree(s, len);
            return;
        }
        boolean bySum = consensus == Consensus.SUM;
        boolean hasBase = base != null;
        boolean scaleByLambda = lambda != 1f;
        FloatVector zero = FloatVector.zero(Tiles.F);
        FloatVector one = FloatVector.broadcast(Tiles.F, 1f);
        FloatVector minusOne = FloatVector.broadcast(Tiles.F, -1f);
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        for (; j < bound; j += Tiles.LANES) {
            FloatVector elect = zero;
            if (bySum) {
                for (int i = 0; i < n; i++) {
                    elect = elect.add(FloatVector.fromArray(Tiles.F, s.wd[i], j));
                }
            } else {
                for (int i = 0; i < n; i++) {
                    FloatVector wd = FloatVector.fromArray(Tiles.F, s.wd[i], j);
                    FloatVector signum = zero.blend(one, wd.compare(VectorOperators.GT, 0f))
                            .sub(zero.blend(one, wd.compare(VectorOperators.LT, 0f)));
                    // Math.signum(NaN) is NaN, which makes the reference's vote NaN and so "down".
                    elect = elect.add(signum.blend(Float.NaN, wd.test(VectorOperators.IS_NAN)));
                }
            }
            // wd agrees with the majority sign exactly when wd * (+1 or -1) > 0.
            FloatVector sign = minusOne.blend(one, elect.compare(VectorOperators.GE, 0f));
            FloatVector mixed = zero;
            FloatVector div = zero;
            for (int i = 0; i < n; i++) {
                FloatVector wd = FloatVector.fromArray(Tiles.F, s.wd[i], j);
                VectorMask<Float> agree = wd.mul(sign).compare(VectorOperators.GT, 0f);
                mixed = mixed.add(zero.blend(wd, agree));
                div = div.add(zero.blend(weights[i], agree));
            }
            div = div.blend(one, div.compare(VectorOperators.EQ, 0f));
            if (normalize) {
                mixed = mixed.div(div);
            }
            if (scaleByLambda) {
                mixed = mixed.mul(lambda);
            }
            if (hasBase) {
                mixed = FloatVector.fromArray(Tiles.F, s.base, j).add(mixed);
            }
            mixed.intoArray(s.out, j);
        }
        for (; j < len; j++) {
            s.out[j] = electScalar(s, j);
        }
    }

    private float electScalar(Scratch s, int j) {
        int n = sources.size();
        float elect = 0f;
        for (int i = 0; i < n; i++) {
            float wd = s.wd[i][j];
            elect = elect + (consensus == Consensus.SUM ? wd : Math.signum(wd));
        }
        boolean up = elect >= 0f;
        float mixed = 0f;
        float div = 0f;
        for (int i = 0; i < n; i++) {
            float wd = s.wd[i][j];
            boolean agree = up ? wd > 0f : wd < 0f;
            mixed = mixed + (agree ? wd : 0f);
            div = div + (agree ? weights[i] : 0f);
        }
        if (div == 0f) {
            div = 1f;
        }
        if (normalize) {
            mixed = mixed / div;
        }
        if (lambda != 1f) {
            mixed = mixed * lambda;
        }
        return base != null ? s.base[j] + mixed : mixed;
    }

    /** Per-thread tile buffers; a chunk allocates one (a few KB per source) and reuses it for every tile. */
    static final class Scratch {
        final float[] base = new float[Tiles.TILE];
        final float[] x = new float[Tiles.TILE];
        final float[] out = new float[Tiles.TILE];
        final float[][] wd;

        Scratch(int sources) {
            wd = new float[sources][Tiles.TILE];
        }
    }
}
