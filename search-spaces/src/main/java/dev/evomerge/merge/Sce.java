package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.Chunks;
import dev.evomerge.merge.kernel.FusedMerge;
import dev.evomerge.merge.kernel.TopK;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.List;

/**
 * mergekit's {@code sce} (select, calculate, erase) over the task vectors {@code d_i = x_i - base}:
 * <ol>
 * <li>select: with {@code select_topk < 1}, one mask shared by all models keeps the
 *     {@code k = int(count_nonzero(var) * select_topk)} elements of highest variance across the models
 *     (population variance; the product is taken in float32 as torch does, so 360 x 0.35 gives 126, not 125);
 *     {@code select_topk <= 0} keeps nothing;</li>
 * <li>calculate: model i's weight is {@code mean(d_i^2)} over the whole tensor after the mask, divided by
 *     the weights' sum (equal weights when that sum is below 1e-6);</li>
 * <li>erase: TIES' sign election on the summed (unweighted, masked) task vectors, a zero sum counting as +;
 *     an element is kept from the models whose delta has that sign (a zero delta has none).</li>
 * </ol>
 * {@code out = base + sum(w_i d_i kept_i) / max(sum(w_i kept_i), 1e-6)}. {@code int8_mask} is accepted and
 * changes nothing. Unlike the task-arithmetic family's, the election here sums unweighted deltas.
 *
 * {@snippet :
 * MergeMethods.byName("sce").merge(inputs, out, DType.BF16);
 * }
 */
public final class Sce implements MergeMethod {

    private static final List<ParameterSpec> PARAMETERS = List.of(
            ParameterSpec.global("int8_mask", false),
            ParameterSpec.global("select_topk", 1.0));

    @Override
    public String name() {
        return "sce";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return PARAMETERS;
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    @Override
    public SearchGenes searchGenes() {
        return new SearchGenes(List.of(), List.of(Gene.parameter("select_topk", 0, 1)),
                new SearchGenes.Selection.Every(1), SearchGenes.BaseUse.REQUIRED, null);
    }

    @Override
    public void check(MergeInputs in) {
        in.requireBase(name());
    }

    @Override
    public void merge(MergeInputs in, MemorySegment out, DType outType) {
        check(in);
        TensorView base = in.base();
        if (in.sources().isEmpty()) {
            FusedMerge.copy(base).run(out, outType);
            return;
        }
        List<TensorView> x = in.sources().stream().map(MergeInputs.Source::tensor).toList();
        int m = x.size();
        long n = base.elementCount();
        BitSet selected = select(base, x, in.global().number("select_topk", 1.0));
        float[] w = weights(base, x, selected);
        Chunks.forEach(n, (chunk, from, to) -> {
            float[] d = new float[m];
            for (long i = from; i < to; i++) {
                float b = base.getFloat(i);
                boolean keep = selected == null || selected.get((int) i);
                float sum = 0f;
                for (int s = 0; s < m; s++) {
                    d[s] = keep ? x.get(s).getFloat(i) - b : 0f;
                    sum += d[s];
                }
                float majority = sum >= 0 ? 1f : -1f;
                float num = 0f;
                float den = 0f;
                for (int s = 0; s < m; s++) {
                    if (Math.signum(d[s]) == majority) {
                        num += d[s] * w[s];
                        den += w[s];
                    }
                }
                Floats.write(out, outType, i, b + num / Math.max(den, 1e-6f));
            }
        });
    }

    /** The shared mask of high-variance elements, or {@code null} when everything is kept. */
    private static BitSet select(TensorView base, List<TensorView> x, double topk) {
        if (topk >= 1) {
            return null;
        }
        int n = Math.toIntExact(base.elementCount());
        if (topk <= 0) {
            return new BitSet(n);
        }
        int m = x.size();
        int[] keys = new int[n];
        long[] nonzero = new long[Chunks.count(n)];
        Chunks.forEach(n, (chunk, from, to) -> {
            for (long i = from; i < to; i++) {
                float b = base.getFloat(i);
                double mean = 0;
                for (TensorView v : x) {
                    mean += v.getFloat(i) - b;
                }
                mean /= m;
                double var = 0;
                for (TensorView v : x) {
                    double e = (v.getFloat(i) - b) - mean;
                    var += e * e;
                }
                float f = (float) (var / m);
                keys[(int) i] = Float.floatToRawIntBits(f);
                if (f != 0f) {
                    nonzero[chunk]++;
                }
            }
        });
        long count = java.util.Arrays.stream(nonzero).sum();
        long k = (long) ((float) count * (float) topk);   // torch: int64 tensor * float -> float32
        return TopK.largest(keys, k);
    }

    /** {@code mean(d_i^2)} after the mask, normalised to sum 1 (equal when the sum is below 1e-6). */
    private static float[] weights(TensorView base, List<TensorView> x, BitSet selected) {
        int m = x.size();
        long n = base.elementCount();
        double[][] partial = new double[Chunks.count(n)][m];
        Chunks.forEach(n, (chunk, from, to) -> {
            for (long i = from; i < to; i++) {
                if (selected != null && !selected.get((int) i)) {
                    continue;
                }
                float b = base.getFloat(i);
                for (int s = 0; s < m; s++) {
                    float d = x.get(s).getFloat(i) - b;
                    partial[chunk][s] += (double) d * d;
                }
            }
        });
        double[] mean = new double[m];
        double total = 0;
        for (int s = 0; s < m; s++) {
            for (double[] p : partial) {
                mean[s] += p[s];
            }
            mean[s] /= n;
            total += mean[s];
        }
        float[] w = new float[m];
        for (int s = 0; s < m; s++) {
            w[s] = Math.abs(total) < 1e-6 ? 1f / m : (float) (mean[s] / total);
        }
        return w;
    }
}
