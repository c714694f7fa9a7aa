package dev.evomerge.cli;

import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.space.CombinedSpace;
import dev.evomerge.space.SearchSpace;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link CombinedSpace} as the search loop sees it: decoding genes also remembers which merge recipe the
 * routed recipe's {@code merged:<hash>} model stands for, so the evaluator, which sees only routed recipes,
 * can merge that model in memory. The loop scores what it decoded in the same generation, so the most
 * recent few thousand names are kept.
 *
 * {@snippet :
 * MergedModels space = new MergedModels(combined);
 * MergeRecipe routed = space.decode(genes);
 * MergeRecipe merge = space.apply(routed.layerPath().getFirst().model());
 * }
 */
final class MergedModels implements SearchSpace, Function<String, MergeRecipe> {
    private static final int KEEP = 4096;

    private final CombinedSpace space;
    private final Map<String, MergeRecipe> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, MergeRecipe> eldest) {
            return size() > KEEP;
        }
    };

    MergedModels(CombinedSpace space) {
        this.space = Objects.requireNonNull(space, "space");
    }

    @Override
    public synchronized MergeRecipe decode(double[] genes) {
        MergeRecipe merge = space.parameterRecipe(genes);
        recent.put(CombinedSpace.MERGED_PREFIX + merge.contentHash(), merge);
        return space.decode(genes);
    }

    /** The merge recipe behind a {@code merged:<hash>} name decoded lately, or {@code null}. */
    @Override
    public synchronized MergeRecipe apply(String modelName) {
        return recent.get(modelName);
    }

    @Override
    public int dimension() {
        return space.dimension();
    }

    @Override
    public List<String> geneNames() {
        return space.geneNames();
    }

    @Override
    public double lower(int i) {
        return space.lower(i);
    }

    @Override
    public double upper(int i) {
        return space.upper(i);
    }
}
