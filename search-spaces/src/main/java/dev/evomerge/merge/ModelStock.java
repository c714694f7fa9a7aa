package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.FusedMerge;
import dev.evomerge.merge.kernel.Reductions;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * mergekit's {@code model_stock}: with task vectors {@code d_i = w_i - w_0} of N >= 2 models, {@code cos}
 * is the mean pairwise cosine (each {@code <d_i,d_j> / max(|d_i| |d_j|, 1e-6)}, clamped to [-1, 1]),
 * {@code t = N cos / (1 + (N-1) cos)} and {@code out = t * mean(w_i) + (1 - t) * w_0}. With
 * {@code filter_wise} the cosine and t are taken per row (last dimension) instead of per tensor.
 *
 * {@snippet :
 * double t = ModelStock.interpolation(2, 0.5);   // 2 * 0.5 / 1.5 = 0.667
 * }
 */
public final class ModelStock implements MergeMethod {

    private static final List<ParameterSpec> PARAMETERS = List.of(ParameterSpec.global("filter_wise", false));

    @Override
    public String name() {
        return "model_stock";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return PARAMETERS;
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    /** No per-model parameters: the genes pick the models (two or more) merged with the base per group. */
    @Override
    public SearchGenes searchGenes() {
        return SearchGenes.everyModel(SearchGenes.BaseUse.REQUIRED, null, Gene.score())
                .selecting(new SearchGenes.Selection.Members(2));
    }

    @Override
    public boolean promotesDtypes() {
        return true;   // mergekit stacks the inputs: torch's type promotion decides
    }

    @Override
    public void check(MergeInputs in) {
        TensorView base = in.requireBase("model_stock");
        if (in.sources().size() == 1) {
            throw new IllegalArgumentException("merge method 'model_stock' needs the base and at least two other"
                    + " models, got one for tensor '" + base.name() + "'");
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
        List<TensorView> sources = in.sources().stream().map(MergeInputs.Source::tensor).toList();
        List<TensorView> all = new ArrayList<>(sources);
        all.add(base);
        boolean filterWise = GeneralizedTaskArithmetic.flag(in.global(), "filter_wise", false);
        if (!filterWise) {
            float[] c = coefficients(Reductions.gram(base, sources), sources.size());
            FusedMerge.combination(all, c).run(out, outType);
            return;
        }
        long n = base.elementCount();
        long cols = base.shape().rank() == 0 ? 1 : base.shape().dim(base.shape().rank() - 1);
        long rows = cols == 0 ? 0 : n / cols;
        LongStream.range(0, rows).parallel().forEach(row -> {
            long from = row * cols;
            float[] c = coefficients(Reductions.gram(base, sources, from, from + cols), sources.size());
            FusedMerge.combination(all, c).range(from, from + cols, out, outType);
        });
    }

    /** Coefficients of the sources (each t/N) and then the base (1 - t), from the deltas' Gram matrix. */
    static float[] coefficients(double[] gram, int models) {
        double cosSum = 0;
        int pairs = 0;
        for (int i = 0; i < models; i++) {
            for (int j = i + 1; j < models; j++) {
                double norms = Math.sqrt(gram[Reductions.pair(i, i, models)])
                        * Math.sqrt(gram[Reductions.pair(j, j, models)]);
                double cos = gram[Reductions.pair(i, j, models)] / Math.max(norms, 1e-6);
                cosSum += Math.max(-1, Math.min(1, cos));
                pairs++;
            }
        }
        double t = interpolation(models, cosSum / pairs);
        float[] c = new float[models + 1];
        for (int i = 0; i < models; i++) {
            c[i] = (float) (t / models);
        }
        c[models] = (float) (1 - t);
        return c;
    }

    /** Model stock's {@code t = N cos / (1 + (N-1) cos)}. */
    public static double interpolation(int models, double cos) {
        return models * cos / (1 + (models - 1) * cos);
    }
}
