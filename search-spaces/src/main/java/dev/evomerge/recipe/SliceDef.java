package dev.evomerge.recipe;

import java.util.List;
import java.util.Map;

/**
 * One output slice: its sources (all covering the same number of layers), slice-level parameters and an
 * optional slice-level {@code base_model} that overrides the recipe's for this slice's tensors.
 *
 * {@snippet :
 * new SliceDef(List.of(new SliceSource("./a", new LayerRange(0, 8), Map.of())), Map.of(), null);
 * }
 */
public record SliceDef(List<SliceSource> sources, Map<String, ParameterValue> parameters, String baseModel) {

    public SliceDef {
        sources = List.copyOf(sources);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("a slice needs at least one source");
        }
        int n = sources.getFirst().layerRange().size();
        for (SliceSource s : sources) {
            if (s.layerRange().size() != n) {
                throw new IllegalArgumentException("all sources of a slice must cover the same number of layers");
            }
        }
        parameters = Params.copy(parameters);
    }

    /** Number of output layers this slice produces. */
    public int numLayers() {
        return sources.getFirst().layerRange().size();
    }
}
