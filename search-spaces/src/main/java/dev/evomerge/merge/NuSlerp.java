package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.Chunks;
import dev.evomerge.merge.kernel.FusedMerge;
import dev.evomerge.merge.kernel.Reductions;
import dev.evomerge.merge.kernel.Spherical;
import dev.evomerge.merge.kernel.StridedGram;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.stream.LongStream;

/**
 * mergekit's {@code nuslerp}: spherical interpolation between exactly two models at {@code t = w2 / (w1 + w2)}
 * (0.5 when the weights sum to less than 1e-6 in magnitude), or, with a base model, between their two task
 * vectors, added back to the base. {@code nuslerp_flatten} (default true) treats the tensor as one vector;
 * otherwise each row along the last dimension is interpolated on its own, or with {@code nuslerp_row_wise}
 * each vector along dimension 0 (the columns of a matrix). Angles and colinearity as {@link Spherical} says.
 *
 * {@snippet :
 * MergeMethods.byName("nuslerp").merge(inputs, out, DType.BF16);
 * }
 */
public final class NuSlerp implements MergeMethod {

    private static final List<ParameterSpec> PARAMETERS = List.of(
            ParameterSpec.global("nuslerp_row_wise", false),
            ParameterSpec.global("nuslerp_flatten", true),
            ParameterSpec.perModel("weight", null));

    @Override
    public String name() {
        return "nuslerp";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return PARAMETERS;
    }

    @Override
    public boolean requiresBase() {
        return false;
    }

    /** A given base model makes it interpolate task vectors. */
    @Override
    public boolean takesBase() {
        return true;
    }

    /** The two models with the highest weights in each group are interpolated, at their weights' ratio. */
    @Override
    public SearchGenes searchGenes() {
        return SearchGenes.everyModel(SearchGenes.BaseUse.OPTIONAL, null, Gene.parameter("weight", 0, 1))
                .selecting(new SearchGenes.Selection.Highest(2));
    }

    @Override
    public void check(MergeInputs in) {
        int total = in.sources().size() + (in.base() == null ? 0 : 1);
        if (total > 1 && in.sources().size() != 2) {
            throw new IllegalArgumentException("merge method 'nuslerp' takes exactly two models besides an optional"
                    + " base, got " + in.sources().size() + " for tensor '" + tensorName(in) + "'");
        }
    }

    @Override
    public void merge(MergeInputs in, MemorySegment out, DType outType) {
        check(in);
        if (in.sources().size() + (in.base() == null ? 0 : 1) == 1) {
            TensorView only = in.base() != null ? in.base() : in.sources().getFirst().tensor();
            FusedMerge.copy(only).run(out, outType);
            return;
        }
        double w1 = in.sources().get(0).parameters().number("weight");
        double w2 = in.sources().get(1).parameters().number("weight");
        double t = Math.abs(w1 + w2) < 1e-6 ? 0.5 : w2 / (w1 + w2);
        TensorView base = in.base();
        List<TensorView> pair = List.of(in.sources().get(0).tensor(), in.sources().get(1).tensor());
        TensorView shapeOf = pair.getFirst();
        int rank = shapeOf.shape().rank();
        if (in.global().flag("nuslerp_flatten", true) || rank <= 1) {
            double[] g = Reductions.gram(base, pair);
            combine(base, pair, Spherical.coefficients(t, g[0], g[1], g[2])).run(out, outType);
        } else if (in.global().flag("nuslerp_row_wise", false)) {
            rowWise(base, pair, t, shapeOf.elementCount() / shapeOf.shape().dim(0), out, outType);
        } else {
            long cols = shapeOf.shape().dim(rank - 1);
            LongStream.range(0, cols == 0 ? 0 : shapeOf.elementCount() / cols).parallel().forEach(row -> {
                long from = row * cols;
                double[] g = Reductions.gram(base, pair, from, from + cols);
                combine(base, pair, Spherical.coefficients(t, g[0], g[1], g[2])).range(from, from + cols, out, outType);
            });
        }
    }

    /** Interpolates each vector along dimension 0 (element i belongs to vector i % stride). */
    private static void rowWise(TensorView base, List<TensorView> pair, double t, long stride, MemorySegment out,
                                DType outType) {
        double[][] g = StridedGram.gram(base, pair, stride);
        float[][] c = new float[g.length][];
        for (int r = 0; r < g.length; r++) {
            double[] k = Spherical.coefficients(t, g[r][0], g[r][1], g[r][2]);
            c[r] = new float[] {(float) k[0], (float) k[1]};
        }
        TensorView a = pair.get(0);
        TensorView b = pair.get(1);
        Chunks.forEach(a.elementCount(), (chunk, from, to) -> {
            for (long i = from; i < to; i++) {
                float[] k = c[(int) (i % stride)];
                float v;
                if (base == null) {
                    v = k[0] * a.getFloat(i) + k[1] * b.getFloat(i);
                } else {
                    float o = base.getFloat(i);
                    v = o + (k[0] * (a.getFloat(i) - o) + k[1] * (b.getFloat(i) - o));
                }
                Floats.write(out, outType, i, v);
            }
        });
    }

    /** {@code c0 a + c1 b}, or {@code base + c0 (a - base) + c1 (b - base)} with a base. */
    static FusedMerge combine(TensorView base, List<TensorView> tensors, double[] c) {
        float[] w = new float[c.length];
        for (int i = 0; i < c.length; i++) {
            w[i] = (float) c[i];
        }
        return base == null ? FusedMerge.combination(tensors, w) : FusedMerge.taskVectors(base, tensors, w);
    }

    private static String tensorName(MergeInputs in) {
        return in.base() != null ? in.base().name() : in.sources().isEmpty() ? "?" : in.sources().getFirst().tensor().name();
    }
}
