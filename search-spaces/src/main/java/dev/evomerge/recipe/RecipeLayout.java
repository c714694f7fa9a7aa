package dev.evomerge.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A recipe's output structure as mergekit plans it, for a planner that walks output tensors:
 * pre-layer weights (embeddings) come from {@link #preSlice()}, each {@link OutputLayer} from its slice,
 * post-layer weights (final norm, lm_head) from {@link #postSlice()}.
 *
 * <p>{@code models:} is turned into one slice, as mergekit's {@code normalize_config} does: one source per
 * model covering {@code [0, numLayers(model))}, whose source-level parameters are the model entry's
 * parameters; the base model, if not listed, is appended as a source without parameters.
 * {@code slices:} are taken as written (the base model is not added).
 *
 * {@snippet :
 * RecipeLayout layout = recipe.layout(model -> numLayers(model));
 * ParameterResolver params = new ParameterResolver(recipe);
 * Map<String, Object> g = params.resolve(layout.preSlice(), null, "model.embed_tokens.weight",
 *         RecipeLayout.NON_LAYER_T);
 * }
 */
public final class RecipeLayout {

    /**
     * Gradient position of pre- and post-layer weights (embeddings, final norm, lm_head). mergekit plans
     * them with a config reader whose t is 0, so a gradient gives its first value there.
     */
    public static final double NON_LAYER_T = 0.0;

    private final MergeRecipe recipe;
    private final List<SliceDef> slices;
    private final List<OutputLayer> layers;

    private RecipeLayout(MergeRecipe recipe, List<SliceDef> slices) {
        this.recipe = recipe;
        this.slices = List.copyOf(slices);
        List<OutputLayer> out = new ArrayList<>();
        for (int s = 0; s < slices.size(); s++) {
            SliceDef slice = slices.get(s);
            int n = slice.numLayers();
            for (int i = 0; i < n; i++) {
                out.add(new OutputLayer(out.size(), s, slice, i, gradientPosition(i, n)));
            }
        }
        this.layers = List.copyOf(out);
    }

    /** Builds the layout; {@code numLayersOfModel} is only called for {@code models:} recipes. */
    public static RecipeLayout of(MergeRecipe recipe, ToIntFunction<String> numLayersOfModel) {
        if (recipe.usesSlices()) {
            return new RecipeLayout(recipe, recipe.slices());
        }
        List<SliceSource> sources = new ArrayList<>();
        boolean baseIncluded = false;
        for (ModelEntry m : recipe.models()) {
            baseIncluded |= m.model().equals(recipe.baseModel());
            sources.add(new SliceSource(m.model(), range(m.model(), numLayersOfModel), m.parameters()));
        }
        if (recipe.baseModel() != null && !baseIncluded) {
            sources.add(new SliceSource(recipe.baseModel(), range(recipe.baseModel(), numLayersOfModel), null));
        }
        int n = sources.getFirst().layerRange().size();
        for (SliceSource s : sources) {
            if (s.layerRange().size() != n) {
                throw new RecipeException(recipe.origin().at("models") + ": models have different layer counts ("
                        + sources.getFirst().model() + ": " + n + ", " + s.model() + ": "
                        + s.layerRange().size() + ")");
            }
        }
        return new RecipeLayout(recipe, List.of(new SliceDef(sources, null, null)));
    }

    private static LayerRange range(String model, ToIntFunction<String> numLayersOfModel) {
        int n = numLayersOfModel.applyAsInt(model);
        if (n <= 0) {
            throw new IllegalArgumentException("model '" + model + "' has no layers");
        }
        return new LayerRange(0, n);
    }

    /**
     * The gradient position t of the layer at {@code offset} in an output slice of {@code sliceLayers}
     * layers, as in mergekit's {@code plan_slice}: {@code t = offset / (sliceLayers - 1)}, and
     * {@code t = 1} for a one-layer slice. t restarts at 0 in every output slice; for {@code models:}
     * the one slice spans the whole model, so {@code t = layer / (numLayers - 1)}.
     */
    public static double gradientPosition(int offset, int sliceLayers) {
        return sliceLayers > 1 ? (double) offset / (sliceLayers - 1) : 1.0;
    }

    public MergeRecipe recipe() {
        return recipe;
    }

    /** The output slices, in order. */
    public List<SliceDef> slices() {
        return slices;
    }

    /** Every output layer, in order. */
    public List<OutputLayer> layers() {
        return layers;
    }

    /** Number of layers of the merged model. */
    public int numLayers() {
        return layers.size();
    }

    /** The slice whose sources and parameters give the pre-layer weights: the first one. */
    public SliceDef preSlice() {
        return slices.getFirst();
    }

    /**
     * The slice whose sources and parameters give the post-layer weights: the last one, cut to as many sources
     * as the first slice has. mergekit pairs the first slice's count of weight names with the last slice's
     * models (a zip), so the last slice's extra sources take no part in the final norm and lm_head.
     */
    public SliceDef postSlice() {
        SliceDef last = slices.getLast();
        int n = Math.min(last.sources().size(), slices.getFirst().sources().size());
        return n == last.sources().size() ? last
                : new SliceDef(last.sources().subList(0, n), last.parameters(), last.baseModel());
    }

    /** The base model for a slice's tensors: the slice's own {@code base_model}, else the recipe's. */
    public String baseModel(SliceDef slice) {
        return slice.baseModel() != null ? slice.baseModel() : recipe.baseModel();
    }
}
