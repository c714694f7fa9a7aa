package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.FusedMerge;
import dev.evomerge.merge.kernel.Reductions;
import dev.evomerge.merge.kernel.Span;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * mergekit's {@code multislerp}: a weighted spherical mean of N models (or of their task vectors when a base is
 * given, added back to it). Each vector {@code x_i} becomes {@code u_i = x_i / (|x_i| + eps)}; their weighted
 * mean {@code m} (weights divided by their sum with {@code normalize_weights}, the default) is normalised, the
 * weighted tangent vectors at it are mapped back with the exponential map, and the result is scaled by the
 * weighted mean of the norms. Where {@code |m| < eps} two models fall back to {@code w1 x1 + w2 x2} and more
 * are refused, as in mergekit. One model is returned as it is (the base is then ignored).
 *
 * <p>All of it runs on the inputs' Gram matrix ({@link Span}): the tangent term is {@code (|m| - sum w_i
 * <u_i, m/|m|>) m/|m|}, zero up to rounding, so mergekit's float32 result differs from this one by its own
 * rounding noise (a few ulps of the tensor's largest value).
 *
 * {@snippet :
 * MergeMethods.byName("multislerp").merge(inputs, out, DType.BF16);
 * }
 */
public final class MultiSlerp implements MergeMethod {

    private static final List<ParameterSpec> PARAMETERS = List.of(
            ParameterSpec.global("normalize_weights", true),
            ParameterSpec.global("eps", 1e-8),
            ParameterSpec.perModel("weight", null));

    @Override
    public String name() {
        return "multislerp";
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

    @Override
    public SearchGenes searchGenes() {
        return SearchGenes.everyModel(SearchGenes.BaseUse.OPTIONAL, null, Gene.parameter("weight", 0, 1));
    }

    @Override
    public void check(MergeInputs in) {
        if (in.sources().isEmpty()) {
            throw new IllegalArgumentException("merge method 'multislerp' needs at least one model besides the base"
                    + " for tensor '" + (in.base() == null ? "?" : in.base().name()) + "'");
        }
    }

    @Override
    public void merge(MergeInputs in, MemorySegment out, DType outType) {
        check(in);
        List<TensorView> tensors = in.sources().stream().map(MergeInputs.Source::tensor).toList();
        if (tensors.size() == 1) {
            FusedMerge.copy(tensors.getFirst()).run(out, outType);
            return;
        }
        int n = tensors.size();
        double[] w = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] = in.sources().get(i).parameters().number("weight");
            sum += w[i];
        }
        if (in.global().flag("normalize_weights", true)) {
            for (int i = 0; i < n; i++) {
                w[i] /= sum;
            }
        }
        double eps = in.global().number("eps", 1e-8);
        Span span = new Span(Reductions.gram(in.base(), tensors), n);
        double[] c = coefficients(span, w, eps, tensors.getFirst().name());
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) c[i];
        }
        (in.base() == null ? FusedMerge.combination(tensors, f) : FusedMerge.taskVectors(in.base(), tensors, f))
                .run(out, outType);
    }

    /** The result's coefficients over the (task) vectors. */
    static double[] coefficients(Span span, double[] w, double eps, String tensor) {
        int n = w.length;
        double[] norm = new double[n];
        double[] unit = new double[n];      // coefficient of x_i in sum w_i u_i
        double avgNorm = 0;
        for (int i = 0; i < n; i++) {
            norm[i] = Math.sqrt(span.entry(i, i));
            unit[i] = w[i] / (norm[i] + eps);
            avgNorm += norm[i] * w[i];
        }
        double meanNorm = span.norm(unit);
        if (meanNorm < eps) {
            if (n == 2) {
                return w.clone();
            }
            throw new IllegalArgumentException("merge method 'multislerp': the weighted unit vectors of tensor '"
                    + tensor + "' cancel out (antipodal models with balancing weights); change the weights");
        }
        double[] mean = new double[n];
        for (int i = 0; i < n; i++) {
            mean[i] = unit[i] / meanNorm;
        }
        double along = 0;   // sum_i w_i <u_i, mean>
        for (int i = 0; i < n; i++) {
            along += w[i] * span.dotWith(mean, i) / (norm[i] + eps);
        }
        double[] tangent = new double[n];
        for (int i = 0; i < n; i++) {
            tangent[i] = unit[i] - along * mean[i];
        }
        double tangentNorm = span.norm(tangent) + eps;
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            c[i] = avgNorm * (mean[i] * Math.cos(tangentNorm) + tangent[i] * Math.sin(tangentNorm) / tangentNorm);
        }
        return c;
    }
}
