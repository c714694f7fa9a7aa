package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * One source's step of a tile in a single loop straight from its memory: widen, subtract the base tile,
 * decide the mask, scale and weight ({@code dst = keep ? (d * scale) * weight : 0}), or sum {@code |d|}
 * and {@code |kept d|} for the rescale. Replaces a chain of per-step loops over tile arrays.
 *
 * <p>A {@link TopSet} keeps {@code |d| > value}, or {@code == value} below the index {@code cutoff}; only
 * the one tile that holds the cutoff needs the index, every other tile is a single comparison with
 * {@code value} (above the cutoff) or with {@code nextDown(value)} (below it, where ties are kept).
 *
 * {@snippet :
 * if (!MaskedDelta.weighted(src, mask, t0, len, baseTile, scale, weight, wd)) {
 *     // no fused loop for this combination: take the step-by-step path
 * }
 * }
 */
final class MaskedDelta {

    private MaskedDelta() {
    }

    /** Whether a fused loop covers this source and mask; false for f16 sources, no base, stored masks. */
    static boolean fits(TensorView src, SourceMask mask, float[] b, long t0, int len) {
        if (b == null || src.dtype() == DType.F16) {
            return false;
        }
        return switch (mask) {
            case SourceMask.None none -> true;
            case SourceMask.Random random -> true;
            case SourceMask.Packed packed -> true;
            case SourceMask.RankBand band -> !straddles(band.outer(), t0, len) && !straddles(band.inner(), t0, len);
            case SourceMask.Stored stored -> false;
        };
    }

    static boolean straddles(TopSet set, long t0, int len) {
        return set.cutoff() > t0 && set.cutoff() < t0 + len;
    }

    /** The value that {@code |d| > threshold} compares with on this tile (ties are kept below the cutoff). */
    static float threshold(TopSet set, long t0) {
        return set.cutoff() > t0 ? Math.nextDown(set.value()) : set.value();
    }

    /** {@code dst = keep ? (d * scale) * weight : 0}; call only where {@link #fits} holds. */
    static void weighted(TensorView src, SourceMask mask, long t0, int len, float[] b, float scale, float weight,
                         float[] dst) {
        MemorySegment x = src.data();
        boolean bf16 = src.dtype() == DType.BF16;
        switch (mask) {
            case SourceMask.None none -> plain(x, bf16, t0, len, b, scale, weight, dst);
            case SourceMask.RankBand band -> {
                if (band.inner().equals(TopSet.NONE)) {
                    above(x, bf16, t0, len, b, threshold(band.outer(), t0), scale, weight, dst);
                } else {
                    band(x, bf16, t0, len, b, threshold(band.outer(), t0), threshold(band.inner(), t0), scale,
                            weight, dst);
                }
            }
            case SourceMask.Random random -> random(x, bf16, t0, len, b, random, scale, weight, dst);
            case SourceMask.Packed packed -> packed(x, bf16, t0, len, b, packed, scale, weight, dst);
            case SourceMask.Stored stored -> throw new IllegalArgumentException("no fused loop for stored masks");
        }
    }

    private static void plain(MemorySegment x, boolean bf16, long t0, int len, float[] b, float scale,
                              float weight, float[] dst) {
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
        for (; j < bound; j += Tiles.LANES) {
            FloatVector d = Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j));
            d.mul(scale).mul(weight).intoArray(dst, j);
        }
        for (; j < len; j++) {
            float d = read(x, bf16, t0 + j) - b[j];
            dst[j] = (d * scale) * weight;
        }
    }

    private static void above(MemorySegment x, boolean bf16, long t0, int len, float[] b, float threshold,
                              float scale, float weight, float[] dst) {
        FloatVector zero = FloatVector.zero(Tiles.F);
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
        for (; j < bound; j += Tiles.LANES) {
            FloatVector d = Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j));
            VectorMask<Float> keep = d.abs().compare(VectorOperators.GT, threshold);
            zero.blend(d.mul(scale).mul(weight), keep).intoArray(dst, j);
        }
        for (; j < len; j++) {
            float d = read(x, bf16, t0 + j) - b[j];
            dst[j] = Math.abs(d) > threshold ? (d * scale) * weight : 0f;
        }
    }

    private static void band(MemorySegment x, boolean bf16, long t0, int len, float[] b, float outer, float inner,
                             float scale, float weight, float[] dst) {
        FloatVector zero = FloatVector.zero(Tiles.F);
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
        for (; j < bound; j += Tiles.LANES) {
            FloatVector d = Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j));
            FloatVector a = d.abs();
            VectorMask<Float> keep = a.compare(VectorOperators.GT, outer)
                    .andNot(a.compare(VectorOperators.GT, inner));
            zero.blend(d.mul(scale).mul(weight), keep).intoArray(dst, j);
        }
        for (; j < len; j++) {
            float d = read(x, bf16, t0 + j) - b[j];
            float a = Math.abs(d);
            dst[j] = a > outer && !(a > inner) ? (d * scale) * weight : 0f;
        }
    }

    private static void random(MemorySegment x, boolean bf16, long t0, int len, float[] b, SourceMask.Random mask,
                               float scale, float weight, float[] dst) {
        FloatVector zero = FloatVector.zero(Tiles.F);
        IntVector iota = IntVector.zero(Tiles.I).addIndex(1);
        // Tiles never straddle a 2^32 boundary (TILE divides 2^32), so one key serves the tile.
        long key = MaskHash.key(mask.seed(), mask.stream(), t0 >>> 32);
        int low = (int) t0;
        int threshold = mask.threshold();
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
        for (; j < bound; j += Tiles.LANES) {
            VectorMask<Float> keep = MaskHash.bits24(iota.add(low + j), key)
                    .compare(VectorOperators.LT, threshold).cast(Tiles.F);
            FloatVector d = Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j));
            zero.blend(d.mul(scale).mul(weight), keep).intoArray(dst, j);
        }
        for (; j < len; j++) {
            float d = read(x, bf16, t0 + j) - b[j];
            dst[j] = mask.keeps(t0 + j, Math.abs(d)) ? (d * scale) * weight : 0f;
        }
    }

    private static void packed(MemorySegment x, boolean bf16, long t0, int len, float[] b, SourceMask.Packed mask,
                               float scale, float weight, float[] dst) {
        FloatVector zero = FloatVector.zero(Tiles.F);
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
        for (; j < bound; j += Tiles.LANES) {
            VectorMask<Float> keep = Tiles.packed(mask.bits(), t0 + j);
            FloatVector d = Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j));
            zero.blend(d.mul(scale).mul(weight), keep).intoArray(dst, j);
        }
        for (; j < len; j++) {
            float d = read(x, bf16, t0 + j) - b[j];
            dst[j] = mask.keeps(t0 + j, Math.abs(d)) ? (d * scale) * weight : 0f;
        }
    }

    /**
     * Adds this tile's {@code sum |d|} and {@code sum |kept d|} to {@code sums[at]} and {@code sums[at + 1]},
     * each summed in float lanes and then lane by lane into the double, as {@link Reductions} does. A random
     * mask's decisions are also written to {@code record} when it is not null. Call only where {@link #fits}
     * holds.
     */
    static void l1(TensorView src, SourceMask mask, long t0, int len, float[] b, double[] sums, int at,
                   SourceMask.Packed record) {
        MemorySegment x = src.data();
        boolean bf16 = src.dtype() == DType.BF16;
        FloatVector zero = FloatVector.zero(Tiles.F);
        FloatVector before = zero;
        FloatVector after = zero;
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        switch (mask) {
            case SourceMask.Random random -> {
                IntVector iota = IntVector.zero(Tiles.I).addIndex(1);
                long key = MaskHash.key(random.seed(), random.stream(), t0 >>> 32);
                int low = (int) t0;
                int threshold = random.threshold();
                MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
                for (; j < bound; j += Tiles.LANES) {
                    VectorMask<Float> keep = MaskHash.bits24(iota.add(low + j), key)
                            .compare(VectorOperators.LT, threshold).cast(Tiles.F);
                    if (record != null) {
                        Tiles.pack(keep, record.bits(), t0 + j);
                    }
                    FloatVector a = Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j)).abs();
                    before = before.add(a);
                    after = after.add(zero.blend(a, keep));
                }
            }
            case SourceMask.Packed packed -> {
                MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
                for (; j < bound; j += Tiles.LANES) {
                    VectorMask<Float> keep = Tiles.packed(packed.bits(), t0 + j);
                    FloatVector a = Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j)).abs();
                    before = before.add(a);
                    after = after.add(zero.blend(a, keep));
                }
            }
            case SourceMask.RankBand band -> {
                float outer = threshold(band.outer(), t0);
                float inner = threshold(band.inner(), t0);
                MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
                for (; j < bound; j += Tiles.LANES) {
                    FloatVector a = Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j)).abs();
                    VectorMask<Float> keep = a.compare(VectorOperators.GT, outer)
                            .andNot(a.compare(VectorOperators.GT, inner));
                    before = before.add(a);
                    after = after.add(zero.blend(a, keep));
                }
            }
            case SourceMask.None none -> {
                MemorySegment xs = Tiles.slice(x, bf16, t0, bound);
                for (; j < bound; j += Tiles.LANES) {
                    FloatVector a = Tiles.load(xs, bf16, j).sub(FloatVector.fromArray(Tiles.F, b, j)).abs();
                    before = before.add(a);
                    after = after.add(a);
                }
            }
            case SourceMask.Stored stored -> throw new IllegalArgumentException("no fused loop for stored masks");
        }
        double sumBefore = Reductions.lanesInOrder(before);
        double sumAfter = Reductions.lanesInOrder(after);
        for (; j < len; j++) {
            float a = Math.abs(read(x, bf16, t0 + j) - b[j]);
            boolean keep = mask.keeps(t0 + j, a);
            sumBefore += a;
            sumAfter += keep ? a : 0f;
            if (keep && record != null) {
                record.set(t0 + j);
            }
        }
        sums[at] += sumBefore;
        sums[at + 1] += sumAfter;
    }

    private static float read(MemorySegment x, boolean bf16, long index) {
        return Floats.read(x, bf16 ? DType.BF16 : DType.F32, index);
    }
}
