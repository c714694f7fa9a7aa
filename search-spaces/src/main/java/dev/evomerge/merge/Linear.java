package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.FusedMerge;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * mergekit's {@code linear}: {@code sum w_i x_i}, divided by {@code sum w_i} when {@code normalize}
 * (default true; like mergekit, a zero weight sum is not guarded). The base model has no special role:
 * every weighted model, the base included if it carries a weight, must be among the sources; a
 * {@code base} tensor passed alone is ignored.
 *
 * {@snippet :
 * MergeMethods.byName("linear").merge(inputs, out, DType.BF16);
 * }
 */
public final class Linear implements MergeMethod {

    private static final List<ParameterSpec> PARAMETERS = List.of(
            ParameterSpec.global("normalize", true),
            ParameterSpec.perModel("weight", null));

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return PARAMETERS;
    }

    @Override
    public boolean requiresBase() {
        return false;
    }

    @Override
    public SearchGenes searchGenes() {
        // mergekit's linear ignores base_model; a genome's base model would only be a source without a weight
        return SearchGenes.everyModel(SearchGenes.BaseUse.NONE, true, Gene.parameter("weight", 0, 1).allowingNegative());
    }

    @Override
    public boolean promotesDtypes() {
        return true;   // mergekit stacks the inputs: torch's type promotion decides
    }

    @Override
    public void check(MergeInputs in) {
        if (in.sources().isEmpty()) {
            throw new IllegalArgumentException("merge method 'linear' got no models for tensor '"
                    + (in.base() == null ? "?" : in.base().name()) + "'");
        }
    }

    @Override
    public void merge(MergeInputs in, MemorySegment out, DType outType) {
        check(in);
        List<TensorView> tensors = in.sources().stream().map(MergeInputs.Source::tensor).toList();
        float[] weights = new float[tensors.size()];
        float sum = 0f;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) in.sources().get(i).parameters().number("weight");
            sum += weights[i];
        }
        boolean normalize = GeneralizedTaskArithmetic.flag(in.global(), "normalize", true);
        FusedMerge.weightedSum(tensors, weights, normalize, sum).run(out, outType);
    }
}
