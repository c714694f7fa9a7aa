package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.FusedMerge;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * mergekit's {@code passthrough}: copies the one tensor it is given (frankenmerge slices), multiplied by the
 * model's {@code scale} (default 1), converted to the output dtype.
 *
 * {@snippet :
 * MergeMethods.byName("passthrough").merge(inputs, out, DType.BF16);
 * }
 */
public final class Passthrough implements MergeMethod {

    private static final List<ParameterSpec> PARAMETERS = List.of(ParameterSpec.perModel("scale", 1.0));

    @Override
    public String name() {
        return "passthrough";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return PARAMETERS;
    }

    @Override
    public boolean requiresBase() {
        return false;
    }

    /** The genes pick, per layer group, which model's layers are copied. */
    @Override
    public SearchGenes searchGenes() {
        return SearchGenes.everyModel(SearchGenes.BaseUse.NONE, null, Gene.score())
                .selecting(new SearchGenes.Selection.Highest(1));
    }

    @Override
    public void check(MergeInputs in) {
        if (in.sources().size() > 1 || in.sources().isEmpty() && in.base() == null) {
            throw new IllegalArgumentException("merge method 'passthrough' takes exactly one model per tensor, got "
                    + in.sources().size() + " for tensor '" + (in.sources().isEmpty() ? "?"
                    : in.sources().getFirst().tensor().name()) + "'");
        }
    }

    @Override
    public void merge(MergeInputs in, MemorySegment out, DType outType) {
        check(in);
        TensorView tensor = in.base();
        double scale = 1.0;
        if (in.sources().size() == 1) {
            tensor = in.sources().getFirst().tensor();
            scale = GeneralizedTaskArithmetic.number(in.sources().getFirst().parameters(), "scale", 1.0);
        }
        FusedMerge.combination(List.of(tensor), new float[] {(float) scale}).run(out, outType);
    }
}
