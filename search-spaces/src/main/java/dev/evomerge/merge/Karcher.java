package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.FusedMerge;
import dev.evomerge.merge.kernel.Reductions;
import dev.evomerge.merge.kernel.Span;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * mergekit's {@code karcher}: the Riemannian (Karcher) mean of the models' unit vectors, every model weighted
 * equally and a base model counted as one more member (the method has no per-model parameters; a recipe's
 * {@code weight} is refused). From the normalised arithmetic mean of the unit vectors it takes up to
 * {@code max_iter} (default 10) gradient steps {@code u <- cos|T| u + sin|T| T/|T|} with
 * {@code T = sum a_i theta_i / sin(theta_i) (u_i - cos(theta_i) u)}, skipping members within {@code tol}
 * (default 1e-5) of u and stopping when {@code |T| < tol}; members with norm at most tol are left out of the
 * mean but their zero norms still count in the final scale {@code sum |x_i| / N}.
 *
 * <p>Every iterate is a combination of the members, so the iteration runs on their Gram matrix ({@link Span})
 * and the tensor is read twice in all. mergekit iterates in float32; its angles differ from these by a few
 * 1e-7.
 *
 * {@snippet :
 * MergeMethods.byName("karcher").merge(inputs, out, DType.BF16);
 * }
 */
public final class Karcher implements MergeMethod {

    private static final List<ParameterSpec> PARAMETERS = List.of(
            ParameterSpec.global("max_iter", 10.0),
            ParameterSpec.global("tol", 1e-5));

    @Override
    public String name() {
        return "karcher";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return PARAMETERS;
    }

    @Override
    public boolean requiresBase() {
        return false;
    }

    /** No per-model parameters: the genes pick the models that join the mean (with the base, if any). */
    @Override
    public SearchGenes searchGenes() {
        return SearchGenes.everyModel(SearchGenes.BaseUse.OPTIONAL, null, Gene.score())
                .selecting(new SearchGenes.Selection.Members(1));
    }

    @Override
    public void merge(MergeInputs in, MemorySegment out, DType outType) {
        List<TensorView> members = new ArrayList<>(in.sources().stream().map(MergeInputs.Source::tensor).toList());
        if (in.base() != null) {
            members.add(in.base());
        }
        if (members.size() == 1) {
            FusedMerge.copy(members.getFirst()).run(out, outType);
            return;
        }
        int maxIter = (int) in.global().number("max_iter", 10);
        double tol = in.global().number("tol", 1e-5);
        double[] c = coefficients(new Span(Reductions.gram(null, members), members.size()), maxIter, tol);
        float[] f = new float[c.length];
        for (int i = 0; i < c.length; i++) {
            f[i] = (float) c[i];
        }
        FusedMerge.combination(members, f).run(out, outType);
    }

    /** The mean's coefficients over the members. */
    static double[] coefficients(Span span, int maxIter, double tol) {
        int n = span.size();
        double alpha = 1.0 / n;
        double[] norm = new double[n];
        List<Integer> valid = new ArrayList<>();
        double scale = 0;
        for (int i = 0; i < n; i++) {
            norm[i] = Math.sqrt(span.entry(i, i));
            scale += alpha * norm[i];
            if (norm[i] > tol) {
                valid.add(i);
            }
        }
        if (valid.isEmpty()) {
            return new double[n];
        }
        double a = 1.0 / valid.size();   // the valid members' equal weights, renormalised
        double[] u = new double[n];
        for (int i : valid) {
            u[i] = a / norm[i];
        }
        double normU = span.norm(u);
        if (normU < tol) {
            u = new double[n];
            u[valid.getFirst()] = 1 / norm[valid.getFirst()];
        } else {
            scaleInPlace(u, 1 / normU);
        }
        for (int iter = 0; iter < maxIter; iter++) {
            double[] t = new double[n];
            for (int i : valid) {
                double dot = Math.max(-1, Math.min(1, span.dotWith(u, i) / norm[i]));
                double theta = Math.acos(dot);
                if (theta < tol) {
                    continue;
                }
                double f = a * theta / Math.sin(theta);
                for (int j = 0; j < n; j++) {
                    t[j] -= f * dot * u[j];
                }
                t[i] += f / norm[i];
            }
            double normT = span.norm(t);
            if (normT < tol) {
                break;
            }
            double cos = Math.cos(normT);
            double sin = Math.sin(normT);
            for (int j = 0; j < n; j++) {
                u[j] = cos * u[j] + sin * t[j] / normT;
            }
            double un = span.norm(u);
            if (un > tol) {
                scaleInPlace(u, 1 / un);
            }
        }
        scaleInPlace(u, scale);
        return u;
    }

    private static void scaleInPlace(double[] v, double f) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= f;
        }
    }
}
