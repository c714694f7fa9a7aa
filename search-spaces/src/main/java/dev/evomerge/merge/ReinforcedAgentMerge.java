package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.Chunks;
import dev.evomerge.merge.kernel.FusedMerge;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * mergekit's {@code ram} and {@code ramplus_tl} (reinforced agent merging) over the task vectors
 * {@code d_i = x_i - base}. An element of model i contributes when {@code |d_i| > epsilon} (strictly; default
 * 1e-5); where only one model contributes its delta is taken whole, where several do their mean, where none
 * the base stays. {@code ramplus_tl} scales a model's sole contributions by
 * {@code 1 + r * clamp(shared_i / max(unique_i, epsilon), 0, alpha)} (r 0.1, alpha 0.2 by default), with
 * {@code shared_i} and {@code unique_i} the counts of the tensor's elements where model i contributes together
 * with others or alone. Sums and the rescale are taken in float32, as mergekit's torch code does.
 *
 * {@snippet :
 * MergeMethods.byName("ramplus_tl").merge(inputs, out, DType.BF16);
 * }
 */
public final class ReinforcedAgentMerge implements MergeMethod {

    private final boolean plus;

    /** @param plus {@code ramplus_tl}'s rescale of sole contributions, else {@code ram} */
    public ReinforcedAgentMerge(boolean plus) {
        this.plus = plus;
    }

    @Override
    public String name() {
        return plus ? "ramplus_tl" : "ram";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return plus
                ? List.of(ParameterSpec.global("r", 0.1), ParameterSpec.global("alpha", 0.2),
                        ParameterSpec.global("epsilon", 1e-5))
                : List.of(ParameterSpec.global("epsilon", 1e-5));
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    @Override
    public SearchGenes searchGenes() {
        List<Gene> genes = plus
                ? List.of(Gene.parameter("r", 0, 1), Gene.parameter("alpha", 0, 1))
                : List.of(Gene.parameter("epsilon", 0, 0.01));
        return new SearchGenes(List.of(), genes, new SearchGenes.Selection.Every(1), SearchGenes.BaseUse.REQUIRED,
                null);
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
        float epsilon = (float) in.global().number("epsilon", 1e-5);
        float[] lambda = new float[x.size()];
        java.util.Arrays.fill(lambda, 1f);
        if (plus) {
            rescales(base, x, epsilon, (float) in.global().number("r", 0.1), (float) in.global().number("alpha", 0.2),
                    lambda);
        }
        int m = x.size();
        Chunks.forEach(base.elementCount(), (chunk, from, to) -> {
            float[] d = new float[m];
            for (long i = from; i < to; i++) {
                float b = base.getFloat(i);
                int count = 0;
                for (int s = 0; s < m; s++) {
                    d[s] = x.get(s).getFloat(i) - b;
                    if (Math.abs(d[s]) > epsilon) {
                        count++;
                    } else {
                        d[s] = 0f;
                    }
                }
                float merged = 0f;
                for (int s = 0; s < m; s++) {
                    merged += count == 1 ? d[s] * lambda[s] : d[s] / Math.max(count, 1);
                }
                Floats.write(out, outType, i, b + merged);
            }
        });
    }

    /** ramplus_tl's per-model rescale of sole contributions, from one counting pass. */
    private static void rescales(TensorView base, List<TensorView> x, float epsilon, float r, float alpha,
                                 float[] lambda) {
        int m = x.size();
        long n = base.elementCount();
        long[][] shared = new long[Chunks.count(n)][m];
        long[][] unique = new long[Chunks.count(n)][m];
        Chunks.forEach(n, (chunk, from, to) -> {
            boolean[] nz = new boolean[m];
            for (long i = from; i < to; i++) {
                float b = base.getFloat(i);
                int count = 0;
                for (int s = 0; s < m; s++) {
                    nz[s] = Math.abs(x.get(s).getFloat(i) - b) > epsilon;
                    count += nz[s] ? 1 : 0;
                }
                for (int s = 0; s < m; s++) {
                    if (nz[s]) {
                        (count == 1 ? unique : shared)[chunk][s]++;
                    }
                }
            }
        });
        for (int s = 0; s < m; s++) {
            long sh = 0;
            long un = 0;
            for (int c = 0; c < shared.length; c++) {
                sh += shared[c][s];
                un += unique[c][s];
            }
            float rho = (float) sh / Math.max((float) un, epsilon);
            lambda[s] = 1f + r * Math.min(Math.max(rho, 0f), alpha);
        }
    }
}
