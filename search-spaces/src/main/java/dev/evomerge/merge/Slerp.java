package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.FusedMerge;
import dev.evomerge.merge.kernel.Reductions;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * mergekit's {@code slerp} between the base model (t = 0) and exactly one other model (t = 1), treating
 * each tensor as one flat vector: with {@code cos = <a,b> / (|a| |b|)} (a norm of at most 1e-8 is left
 * undivided), {@code theta = acos(cos)},
 * {@code out = sin((1-t) theta)/sin(theta) a + sin(t theta)/sin(theta) b}; when {@code |cos| > 0.9995}
 * the vectors are taken as colinear and it falls back to {@code (1-t) a + t b}.
 *
 * {@snippet :
 * float[] c = Slerp.coefficients(0.5, normA2, dotAB, normB2);
 * }
 */
public final class Slerp implements MergeMethod {

    static final double DOT_THRESHOLD = 0.9995;
    static final double EPS = 1e-8;

    private static final List<ParameterSpec> PARAMETERS = List.of(ParameterSpec.global("t", null));

    @Override
    public String name() {
        return "slerp";
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
        return new SearchGenes(List.of(Gene.parameter("t", 0, 1)), List.of(), new SearchGenes.Selection.SoftmaxPair(),
                SearchGenes.BaseUse.NONE, null);
    }

    @Override
    public void check(MergeInputs in) {
        TensorView a = in.requireBase("slerp");
        if (in.sources().size() > 1) {
            throw new IllegalArgumentException("merge method 'slerp' takes the base and exactly one other model,"
                    + " got " + (in.sources().size() + 1) + " for tensor '" + a.name() + "'");
        }
    }

    @Override
    public void merge(MergeInputs in, MemorySegment out, DType outType) {
        check(in);
        TensorView a = in.base();
        if (in.sources().isEmpty()) {
            FusedMerge.copy(a).run(out, outType);
            return;
        }
        TensorView b = in.sources().getFirst().tensor();
        double[] g = Reductions.gram(null, List.of(a, b));
        float[] c = coefficients(in.global().number("t"), g[0], g[1], g[2]);
        FusedMerge.combination(List.of(a, b), c).run(out, outType);
    }

    /** The weights of a and b, from t and the sums {@code a.a}, {@code a.b}, {@code b.b}. */
    public static float[] coefficients(double t, double aa, double ab, double bb) {
        double na = Math.sqrt(aa);
        double nb = Math.sqrt(bb);
        double cos = ab / ((na > EPS ? na : 1) * (nb > EPS ? nb : 1));
        if (Math.abs(cos) > DOT_THRESHOLD) {
            return new float[] {(float) (1 - t), (float) t};
        }
        double theta = Math.acos(cos);
        double sin = Math.sin(theta);
        return new float[] {(float) (Math.sin(theta - theta * t) / sin), (float) (Math.sin(theta * t) / sin)};
    }
}
