package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.merge.kernel.Chunks;
import dev.evomerge.merge.kernel.FusedMerge;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * mergekit's {@code nearswap}: between the base a and exactly one other model b, each element takes
 * {@code w b + (1 - w) a} with {@code w = clamp(t / max(|a - b|, 1e-6), 0, 1)}: where the two are within
 * {@code t} of each other b is taken whole, farther apart less and less of it. {@code t} is required (there is
 * no default). In float32, as mergekit computes it.
 *
 * {@snippet :
 * MergeMethods.byName("nearswap").merge(inputs, out, DType.BF16);
 * }
 */
public final class NearSwap implements MergeMethod {

    private static final List<ParameterSpec> PARAMETERS = List.of(ParameterSpec.global("t", null));

    @Override
    public String name() {
        return "nearswap";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return PARAMETERS;
    }

    @Override
    public boolean requiresBase() {
        return true;
    }

    /** The genes pick the model swapped in per group; {@code t} is a group gene (deltas are small). */
    @Override
    public SearchGenes searchGenes() {
        return SearchGenes.everyModel(SearchGenes.BaseUse.REQUIRED, null, Gene.score())
                .selecting(new SearchGenes.Selection.Highest(1))
                .withGroupGenes(Gene.parameter("t", 0, 0.01));
    }

    @Override
    public void check(MergeInputs in) {
        TensorView a = in.requireBase(name());
        if (in.sources().size() > 1) {
            throw new IllegalArgumentException("merge method 'nearswap' takes the base and exactly one other model,"
                    + " got " + (in.sources().size() + 1) + " for tensor '" + a.name() + "'");
        }
        if (!in.sources().isEmpty() && !in.global().has("t")) {
            throw new IllegalArgumentException("merge method 'nearswap' needs parameter 't' (tensor '" + a.name()
                    + "')");
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
        float t = (float) in.global().number("t");
        Chunks.forEach(a.elementCount(), (chunk, from, to) -> {
            for (long i = from; i < to; i++) {
                float x = a.getFloat(i);
                float y = b.getFloat(i);
                float w = Math.min(1f, Math.max(0f, t / Math.max(Math.abs(x - y), 1e-6f)));
                Floats.write(out, outType, i, w * y + (1 - w) * x);
            }
        });
    }
}
