package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.Chunks;
import dev.evomerge.merge.kernel.FusedMerge;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * mergekit's {@code arcee_fusion}: between the base and exactly one other model, an element takes the other
 * model's value where its importance {@code |x - base| * KL(row)} is at least {@code median + 1.5 IQR} of all
 * importances, and keeps the base's elsewhere. {@code KL(row) = sum p log(p / q)} with p and q the softmaxes
 * (plus 1e-8) of the model's and the base's row along the last dimension. Quantiles are order statistics at
 * {@code int(q * (n - 1))}; above 1M entries, as in mergekit, they come from a sample of 1M entries, drawn here
 * from {@link MergeInputs#seed()} (the recipe hash and tensor name) so that a recipe always gives the same
 * tensor.
 *
 * <p>Importances are computed in double. mergekit's float32 KL loses several percent on rows where the two
 * models are close, so entries whose importance lies within that error of the threshold can fall on the
 * other side there; all other entries agree.
 *
 * {@snippet :
 * MergeMethods.byName("arcee_fusion").merge(inputs, out, DType.BF16);
 * }
 */
public final class ArceeFusion implements MergeMethod {

    /** mergekit's largest tensor whose quantiles are taken over every entry. */
    static final int SAMPLE = 1_000_000;
    private static final double SOFTMAX_EPS = 1e-8;

    @Override
    public String name() {
        return "arcee_fusion";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of();
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    /** The threshold of a tensor above 1M entries comes from a seeded sample. */
    @Override
    public boolean seeded() {
        return true;
    }

    /** No parameters: the genes pick the model fused into the base per layer group. */
    @Override
    public SearchGenes searchGenes() {
        return SearchGenes.everyModel(SearchGenes.BaseUse.REQUIRED, null, Gene.score())
                .selecting(new SearchGenes.Selection.Highest(1));
    }

    @Override
    public void check(MergeInputs in) {
        TensorView base = in.requireBase(name());
        if (in.sources().size() > 1) {
            throw new IllegalArgumentException("merge method 'arcee_fusion' takes the base and exactly one other"
                    + " model, got " + (in.sources().size() + 1) + " for tensor '" + base.name() + "'");
        }
    }

    @Override
    public void merge(MergeInputs in, MemorySegment out, DType outType) {
        check(in);
        TensorView base = in.base();
        if (in.sources().isEmpty()) {
            FusedMerge.copy(base).run(out, outType);
            return;
        }
        TensorView x = in.sources().getFirst().tensor();
        long cols = columns(base);
        double[] kl = rowDivergences(x, base, cols);
        double threshold = threshold(x, base, kl, cols, in.seed());
        Chunks.forEach(base.elementCount(), (chunk, from, to) -> {
            for (long i = from; i < to; i++) {
                float b = base.getFloat(i);
                float v = x.getFloat(i);
                boolean fused = importance(v, b, kl[(int) (i / cols)]) >= threshold;
                Floats.write(out, outType, i, fused ? b + (v - b) : b);
            }
        });
    }

    /** The length of a row: the last dimension (the whole tensor when it has rank 0). */
    static long columns(TensorView t) {
        int rank = t.shape().rank();
        return rank == 0 ? 1 : Math.max(1, t.shape().dim(rank - 1));
    }

    static double importance(float x, float base, double rowKl) {
        return Math.abs((double) (x - base)) * rowKl;
    }

    /** {@code KL(softmax(x) + eps || softmax(base) + eps)} of each row. */
    static double[] rowDivergences(TensorView x, TensorView base, long cols) {
        int rows = Math.toIntExact(base.elementCount() / cols);
        double[] kl = new double[rows];
        LongStream.range(0, rows).parallel().forEach(r -> {
            long from = r * cols;
            double mx = Double.NEGATIVE_INFINITY;
            double mb = Double.NEGATIVE_INFINITY;
            for (long i = from; i < from + cols; i++) {
                mx = Math.max(mx, x.getFloat(i));
                mb = Math.max(mb, base.getFloat(i));
            }
            double sx = 0;
            double sb = 0;
            for (long i = from; i < from + cols; i++) {
                sx += Math.exp(x.getFloat(i) - mx);
                sb += Math.exp(base.getFloat(i) - mb);
            }
            double sum = 0;
            for (long i = from; i < from + cols; i++) {
                double p = Math.exp(x.getFloat(i) - mx) / sx + SOFTMAX_EPS;
                double q = Math.exp(base.getFloat(i) - mb) / sb + SOFTMAX_EPS;
                sum += p * Math.log(p / q);
            }
            kl[(int) r] = sum;
        });
        return kl;
    }

    /** {@code median + 1.5 (q3 - q1)} of the importances (of a seeded 1M-entry sample above 1M entries). */
    static double threshold(TensorView x, TensorView base, double[] kl, long cols, long seed) {
        long n = base.elementCount();
        double[] values;
        if (n <= SAMPLE) {
            values = new double[(int) n];
            for (int i = 0; i < n; i++) {
                values[i] = importance(x.getFloat(i), base.getFloat(i), kl[(int) (i / cols)]);
            }
        } else {
            values = new double[SAMPLE];
            // Selection sampling (Knuth's algorithm S): every 1M-subset equally likely, one pass, no index set.
            SplittableRandom random = new SplittableRandom(seed);
            int taken = 0;
            for (long i = 0; i < n && taken < SAMPLE; i++) {
                if ((n - i) * random.nextDouble() < SAMPLE - taken) {
                    values[taken++] = importance(x.getFloat(i), base.getFloat(i), kl[(int) (i / cols)]);
                }
            }
        }
        Arrays.sort(values);
        double median = values[quantileIndex(0.5, values.length)];
        double q1 = values[quantileIndex(0.25, values.length)];
        double q3 = values[quantileIndex(0.75, values.length)];
        return median + 1.5 * (q3 - q1);
    }

    /** mergekit's {@code (q * (n - 1)).long()}, with q a float32 tensor. */
    static int quantileIndex(double q, int n) {
        return (int) ((float) q * (float) (n - 1));
    }
}
