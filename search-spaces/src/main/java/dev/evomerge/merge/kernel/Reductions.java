package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import java.lang.foreign.MemorySegment;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/**
 * Fused reductions over tensors read straight from their segments (bf16 widened in registers, no float
 * copies): the Gram matrix of task vectors (SLERP's norms and dot, model stock's cosines) and the L1 norms
 * before and after a mask (the {@code rescale} factor). Each tile is summed in float lanes and added to a
 * double; chunk partials are combined in chunk order, so results do not depend on the thread count.
 *
 * {@snippet :
 * double[] g = Reductions.gram(null, List.of(a, b), 0, n);   // {a.a, a.b, b.b}
 * }
 */
public final class Reductions {

    private Reductions() {
    }

    /** Index of pair (i, j), i <= j, in the packed upper triangle of an m x m Gram matrix. */
    public static int pair(int i, int j, int m) {
        return i * m - i * (i - 1) / 2 + (j - i);
    }

    /**
     * The Gram matrix (packed upper triangle, see {@link #pair}) of {@code v[i] - base} (or {@code v[i]}
     * when base is null) over elements {@code [from, to)}, on the calling thread.
     */
    public static double[] gram(TensorView base, List<TensorView> vectors, long from, long to) {
        int m = vectors.size();
        boolean scalar = SmallTensors.scalar(vectors.getFirst().elementCount());
        if (m == 2 && !scalar && noF16(base) && noF16(vectors.get(0)) && noF16(vectors.get(1))) {
            return gramTwo(base, vectors.get(0), vectors.get(1), from, to);
        }
        double[] sums = new double[m * (m + 1) / 2];
        float[] b = new float[Tiles.TILE];
        float[][] x = new float[m][Tiles.TILE];
        for (long t0 = from; t0 < to; t0 += Tiles.TILE) {
            int len = (int) Math.min(Tiles.TILE, to - t0);
            float[] bt = base != null ? b : null;
            if (base != null) {
                widen(scalar, base, t0, len, b);
            }
            for (int i = 0; i < m; i++) {
                TensorView v = vectors.get(i);
                if (scalar) {
                    Tiles.deltaScalar(v.data(), v.dtype(), t0, len, bt, x[i]);
                } else {
                    Tiles.delta(v.data(), v.dtype(), t0, len, bt, x[i]);
                }
            }
            for (int i = 0; i < m; i++) {
                for (int j = i; j < m; j++) {
                    sums[pair(i, j, m)] += scalar ? dotScalar(x[i], x[j], len) : dot(x[i], x[j], len);
                }
            }
        }
        return sums;
    }

    private static boolean noF16(TensorView v) {
        return v == null || v.dtype() != DType.F16;
    }

    /**
     * {@link #gram} for two vectors (SLERP; model stock on two models) in one loop straight from memory, with
     * the three sums' vectors in registers: the tile path widened both into arrays and read them back three
     * times, and ran f32 tensors slower than ND4J's BLAS dots. The same fma order per sum, so the same bits.
     */
    private static double[] gramTwo(TensorView base, TensorView a, TensorView b, long from, long to) {
        boolean bf16a = a.dtype() == DType.BF16;
        boolean bf16b = b.dtype() == DType.BF16;
        boolean bf16base = base != null && base.dtype() == DType.BF16;
        double[] sums = new double[3];
        for (long t0 = from; t0 < to; t0 += Tiles.TILE) {
            int len = (int) Math.min(Tiles.TILE, to - t0);
            int bound = Tiles.F.loopBound(len);
            MemorySegment as = Tiles.slice(a.data(), bf16a, t0, bound);
            MemorySegment bs = Tiles.slice(b.data(), bf16b, t0, bound);
            FloatVector aa = FloatVector.zero(Tiles.F);
            FloatVector ab = aa;
            FloatVector bb = aa;
            if (base == null) {
                for (int j = 0; j < bound; j += Tiles.LANES) {
                    FloatVector x = Tiles.load(as, bf16a, j);
                    FloatVector y = Tiles.load(bs, bf16b, j);
                    aa = x.fma(x, aa);
                    ab = x.fma(y, ab);
                    bb = y.fma(y, bb);
                }
            } else {
                MemorySegment cs = Tiles.slice(base.data(), bf16base, t0, bound);
                for (int j = 0; j < bound; j += Tiles.LANES) {
                    FloatVector c = Tiles.load(cs, bf16base, j);
                    FloatVector x = Tiles.load(as, bf16a, j).sub(c);
                    FloatVector y = Tiles.load(bs, bf16b, j).sub(c);
                    aa = x.fma(x, aa);
                    ab = x.fma(y, ab);
                    bb = y.fma(y, bb);
                }
            }
            double saa = lanesInOrder(aa);
            double sab = lanesInOrder(ab);
            double sbb = lanesInOrder(bb);
            for (long i = t0 + bound; i < t0 + len; i++) {
                float c = base == null ? 0f : Floats.read(base.data(), base.dtype(), i);
                float x = Floats.read(a.data(), a.dtype(), i);
                float y = Floats.read(b.data(), b.dtype(), i);
                if (base != null) {
                    x = x - c;
                    y = y - c;
                }
                saa += (double) x * x;
                sab += (double) x * y;
                sbb += (double) y * y;
            }
            sums[0] += saa;
            sums[1] += sab;
            sums[2] += sbb;
        }
        return sums;
    }

    /** {@link #gram} over a whole tensor, in parallel over chunks. */
    public static double[] gram(TensorView base, List<TensorView> vectors) {
        long n = vectors.getFirst().elementCount();
        double[][] partial = new double[Chunks.count(n)][];
        Chunks.forEach(n, (c, from, to) -> partial[c] = gram(base, vectors, from, to));
        return sumInOrder(partial);
    }

    /**
     * For each source, {@code {sum |d|, sum |d| over kept elements}} with {@code d = x - base}, packed as
     * {@code [2*s], [2*s+1]}: what mergekit's L1 rescale compares.
     */
    public static double[] l1BeforeAfter(TensorView base, List<TensorView> sources, SourceMask[] masks) {
        return l1BeforeAfter(base, sources, masks, new SourceMask.Packed[masks.length]);
    }

    /**
     * {@link #l1BeforeAfter(TensorView, List, SourceMask[])}, also writing each source's keep decisions into
     * {@code record[s]} (zeroed bits) where that is not null: for random masks, whose hash costs more than
     * reading the recorded bit back in the merge pass.
     */
    public static double[] l1BeforeAfter(TensorView base, List<TensorView> sources, SourceMask[] masks,
                                         SourceMask.Packed[] record) {
        long n = base.elementCount();
        int m = sources.size();
        boolean scalar = SmallTensors.scalar(n);
        double[][] partial = new double[Chunks.count(n)][];
        Chunks.forEach(n, (c, from, to) -> {
            double[] sums = new double[2 * m];
            float[] b = new float[Tiles.TILE];
            float[] x = new float[Tiles.TILE];
            float[] kept = new float[Tiles.TILE];
            for (long t0 = from; t0 < to; t0 += Tiles.TILE) {
                int len = (int) Math.min(Tiles.TILE, to - t0);
                widen(scalar, base, t0, len, b);
                for (int i = 0; i < m; i++) {
                    TensorView v = sources.get(i);
                    if (!scalar && MaskedDelta.fits(v, masks[i], b, t0, len)) {
                        MaskedDelta.l1(v, masks[i], t0, len, b, sums, 2 * i, record[i]);
                        continue;
                    }
                    if (scalar) {
                        Tiles.deltaScalar(v.data(), v.dtype(), t0, len, b, x);
                        for (int j = 0; j < len; j++) {
                            kept[j] = masks[i].keeps(t0 + j, Math.abs(x[j])) ? x[j] : 0f;
                        }
                        sums[2 * i] += absSumScalar(x, len);
                        sums[2 * i + 1] += absSumScalar(kept, len);
                    } else {
                        Tiles.delta(v.data(), v.dtype(), t0, len, b, x);
                        Tiles.applyMask(masks[i], t0, len, x, kept, 1f, 1f);
                        sums[2 * i] += absSum(x, len);
                        sums[2 * i + 1] += absSum(kept, len);
                    }
                    if (record[i] != null) {
                        for (int j = 0; j < len; j++) {
                            if (masks[i].keeps(t0 + j, Math.abs(x[j]))) {
                                record[i].set(t0 + j);
                            }
                        }
                    }
                }
            }
            partial[c] = sums;
        });
        return sumInOrder(partial);
    }

    private static double[] sumInOrder(double[][] partial) {
        double[] total = new double[partial[0].length];
        for (double[] p : partial) {
            for (int k = 0; k < total.length; k++) {
                total[k] += p[k];
            }
        }
        return total;
    }

    /**
     * Sums the lanes in lane order, in double. {@code reduceLanes(ADD)} leaves the order unspecified, and the
     * JIT-compiled and interpreted forms really do differ, which would make results depend on warm-up.
     */
    static double lanesInOrder(FloatVector acc) {
        float[] lanes = new float[Tiles.LANES];
        acc.intoArray(lanes, 0);
        double sum = 0;
        for (float v : lanes) {
            sum += v;
        }
        return sum;
    }

    static double dot(float[] a, float[] b, int len) {
        FloatVector acc = FloatVector.zero(Tiles.F);
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        for (; j < bound; j += Tiles.LANES) {
            acc = FloatVector.fromArray(Tiles.F, a, j).fma(FloatVector.fromArray(Tiles.F, b, j), acc);
        }
        double sum = lanesInOrder(acc);
        for (; j < len; j++) {
            sum += (double) a[j] * b[j];
        }
        return sum;
    }

    private static void widen(boolean scalar, TensorView v, long t0, int len, float[] dst) {
        if (scalar) {
            SmallTensors.widen(v.data(), v.dtype(), t0, len, dst);
        } else {
            Tiles.widen(v.data(), v.dtype(), t0, len, dst);
        }
    }

    /** {@link #dot} in scalar Java for small tensors: the same per-lane fma sums, added in lane order. */
    static double dotScalar(float[] a, float[] b, int len) {
        int lanes = Tiles.LANES;
        float[] acc = new float[lanes];
        int bound = len - len % lanes;
        int j = 0;
        for (; j < bound; j++) {
            acc[j % lanes] = Math.fma(a[j], b[j], acc[j % lanes]);
        }
        double sum = 0;
        for (float v : acc) {
            sum += v;
        }
        for (; j < len; j++) {
            sum += (double) a[j] * b[j];
        }
        return sum;
    }

    /** {@link #absSum} in scalar Java for small tensors, lane by lane like the vector form. */
    static double absSumScalar(float[] a, int len) {
        int lanes = Tiles.LANES;
        float[] acc = new float[lanes];
        int bound = len - len % lanes;
        int j = 0;
        for (; j < bound; j++) {
            acc[j % lanes] = acc[j % lanes] + Math.abs(a[j]);
        }
        double sum = 0;
        for (float v : acc) {
            sum += v;
        }
        for (; j < len; j++) {
            sum += Math.abs(a[j]);
        }
        return sum;
    }

    static double absSum(float[] a, int len) {
        FloatVector acc = FloatVector.zero(Tiles.F);
        int bound = Tiles.F.loopBound(len);
        int j = 0;
        for (; j < bound; j += Tiles.LANES) {
            acc = acc.add(FloatVector.fromArray(Tiles.F, a, j).abs());
        }
        double sum = lanesInOrder(acc);
        for (; j < len; j++) {
            sum += Math.abs(a[j]);
        }
        return sum;
    }
}
