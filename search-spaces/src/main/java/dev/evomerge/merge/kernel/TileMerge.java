package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.Consensus;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link FusedMerge}'s general vector path: tile by tile, each source's weighted, masked delta into a tile
 * buffer (fused straight from memory by {@link MaskedDelta} where it can), then the plain sum or the sign
 * election over the tile; plain weighted sums without masks take a leaner direct loop. The same float
 * operations in the same order as {@link ScalarMerge}, so both give the same bits.
 *
 * {@snippet :
 * TileMerge.range(merge, from, to, out, DType.BF16);
 * }
 */
final class TileMerge {

    private TileMerge() {
    }

    /** Merges elements {@code [from, to)} with the Vector API loops, tile by tile. */
    static void range(FusedMerge f, long from, long to, MemorySegment out, DType outType) {
        if (isDirect(f)) {
            directRange(f, from, to, out, outType);
            return;
        }
        Scratch s = new Scratch(f.sources().size());
        for (long t0 = from; t0 < to; t0 += Tiles.TILE) {
            int len = (int) Math.min(Tiles.TILE, to - t0);
            if (f.base() != null) {
                Tiles.widen(f.base().data(), f.base().dtype(), t0, len, s.base);
            }
            float[] b = f.base() != null ? s.base : null;
            for (int i = 0; i < f.sources().size(); i++) {
                TensorView src = f.sources().get(i);
                if (MaskedDelta.fits(src, f.masks()[i], b, t0, len)) {
                    MaskedDelta.weighted(src, f.masks()[i], t0, len, b, f.scales()[i], f.weights()[i], s.wd[i]);
                } else {
                    Tiles.delta(src.data(), src.dtype(), t0, len, b, s.x);
                    Tiles.applyMask(f.masks()[i], t0, len, s.x, s.wd[i], f.scales()[i], f.weights()[i]);
                }
            }
            if (f.consensus() == Consensus.NONE) {
                sumPlain(f, s, len);
            } else {
                sumElected(f, s, len);
            }
            Tiles.narrow(s.out, len, out, outType, t0);
        }
    }

    /**
     * Plain weighted sums (no masks, no election) over bf16/f32 inputs take a leaner path: one fused loop
     * per source adds its weighted delta into a tile accumulator (the segment stays loop-invariant, so its
     * checks hoist), with the same operations in the same order as the general path.
     */
    private static boolean isDirect(FusedMerge f) {
        if (f.consensus() != Consensus.NONE || (f.base() != null && f.base().dtype() == DType.F16)) {
            return false;
        }
        for (int i = 0; i < f.masks().length; i++) {
            if (!(f.masks()[i] instanceof SourceMask.None) || f.sources().get(i).dtype() == DType.F16) {
                return false;
            }
        }
        return true;
    }

    private static void directRange(FusedMerge f, long from, long to, MemorySegment out, DType outType) {
        int n = f.sources().size();
        boolean hasBase = f.base() != null;
        float[] b = new float[Tiles.TILE];
        float[] acc = new float[Tiles.TILE];
        for (long t0 = from; t0 < to; t0 += Tiles.TILE) {
            int len = (int) Math.min(Tiles.TILE, to - t0);
            if (hasBase) {
                Tiles.widen(f.base().data(), f.base().dtype(), t0, len, b);
            }
            Arrays.fill(acc, 0f);
            for (int k = 0; k < n; k++) {
                TensorView src = f.sources().get(k);
                accumulate(src.data(), src.dtype(), t0, len, hasBase ? b : null, f.scales()[k], f.weights()[k], acc);
            }
            finish(f, acc, b, len, hasBase);
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

    private static void finish(FusedMerge f, float[] acc, float[] b, int len, boolean hasBase) {
        boolean scaleByLambda = f.lambda() != 1f;
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        for (; j < bound; j += Tiles.LANES) {
            FloatVector mixed = FloatVector.fromArray(Tiles.F, acc, j);
            if (f.normalize()) {
                mixed = mixed.div(f.divisor());
            }
            if (scaleByLambda) {
                mixed = mixed.mul(f.lambda());
            }
            if (hasBase) {
                mixed = FloatVector.fromArray(Tiles.F, b, j).add(mixed);
            }
            mixed.intoArray(acc, j);
        }
        for (; j < len; j++) {
            float mixed = acc[j];
            if (f.normalize()) {
                mixed = mixed / f.divisor();
            }
            if (scaleByLambda) {
                mixed = mixed * f.lambda();
            }
            acc[j] = hasBase ? b[j] + mixed : mixed;
        }
    }

    private static void sumPlain(FusedMerge f, Scratch s, int len) {
        int n = f.sources().size();
        boolean hasBase = f.base() != null;
        boolean scaleByLambda = f.lambda() != 1f;
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        for (; j < bound; j += Tiles.LANES) {
            FloatVector mixed = FloatVector.zero(Tiles.F);
            for (int i = 0; i < n; i++) {
                mixed = mixed.add(FloatVector.fromArray(Tiles.F, s.wd[i], j));
            }
            if (f.normalize()) {
                mixed = mixed.div(f.divisor());
            }
            if (scaleByLambda) {
                mixed = mixed.mul(f.lambda());
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
            if (f.normalize()) {
                mixed = mixed / f.divisor();
            }
            if (scaleByLambda) {
                mixed = mixed * f.lambda();
            }
            s.out[j] = hasBase ? s.base[j] + mixed : mixed;
        }
    }

    /**
     * {@link #sumElected} unrolled for three sources under {@code Consensus.SUM} (the common TIES / DARE
     * recipe): the same operations in the same order, with every vector in a register.
     */
    private static void sumElectedThree(FusedMerge f, Scratch s, int len) {
        float[] wd0 = s.wd[0];
        float[] wd1 = s.wd[1];
        float[] wd2 = s.wd[2];
        float k0 = f.weights()[0];
        float k1 = f.weights()[1];
        float k2 = f.weights()[2];
        boolean hasBase = f.base() != null;
        boolean scaleByLambda = f.lambda() != 1f;
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
            if (f.normalize()) {
                mixed = mixed.div(div);
            }
            if (scaleByLambda) {
                mixed = mixed.mul(f.lambda());
            }
            if (hasBase) {
                mixed = FloatVector.fromArray(Tiles.F, s.base, j).add(mixed);
            }
            mixed.intoArray(s.out, j);
        }
        for (; j < len; j++) {
            s.out[j] = electScalar(f, s, j);
        }
    }

    private static void sumElected(FusedMerge f, Scratch s, int len) {
        int n = f.sources().size();
        if (n == 3 && f.consensus() == Consensus.SUM) {
            sumElectedThree(f, s, len);
            return;
        }
        boolean bySum = f.consensus() == Consensus.SUM;
        boolean hasBase = f.base() != null;
        boolean scaleByLambda = f.lambda() != 1f;
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
                div = div.add(zero.blend(f.weights()[i], agree));
            }
            div = div.blend(one, div.compare(VectorOperators.EQ, 0f));
            if (f.normalize()) {
                mixed = mixed.div(div);
            }
            if (scaleByLambda) {
                mixed = mixed.mul(f.lambda());
            }
            if (hasBase) {
                mixed = FloatVector.fromArray(Tiles.F, s.base, j).add(mixed);
            }
            mixed.intoArray(s.out, j);
        }
        for (; j < len; j++) {
            s.out[j] = electScalar(f, s, j);
        }
    }

    private static float electScalar(FusedMerge f, Scratch s, int j) {
        int n = f.sources().size();
        float elect = 0f;
        for (int i = 0; i < n; i++) {
            float wd = s.wd[i][j];
            elect = elect + (f.consensus() == Consensus.SUM ? wd : Math.signum(wd));
        }
        boolean up = elect >= 0f;
        float mixed = 0f;
        float div = 0f;
        for (int i = 0; i < n; i++) {
            float wd = s.wd[i][j];
            boolean agree = up ? wd > 0f : wd < 0f;
            mixed = mixed + (agree ? wd : 0f);
            div = div + (agree ? f.weights()[i] : 0f);
        }
        if (div == 0f) {
            div = 1f;
        }
        if (f.normalize()) {
            mixed = mixed / div;
        }
        if (f.lambda() != 1f) {
            mixed = mixed * f.lambda();
        }
        return f.base() != null ? s.base[j] + mixed : mixed;
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
