package dev.evomerge.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * A mergekit merge recipe as a value: parameter-space part (method, base, {@code models} or
 * {@code slices}, parameters at every level, dtypes, tokenizer source) and an optional data-flow part
 * ({@code layer_path}). Exactly one of {@link #models} and {@link #slices} is non-empty.
 *
 * <p>Equality and {@link #contentHash()} cover the content only, never the {@link #origin()}; parameter
 * maps compare without regard to order, lists (models, slices, sources, gradient values) in order.
 *
 * {@snippet :
 * MergeRecipe r = RecipeParser.parse(Path.of("recipe.yaml"));
 * RecipeLayout layout = r.layout(model -> checkpoints.numLayers(model));
 * String yaml = r.toYaml();          // mergekit-compatible, parses back to an equal recipe
 * String key = r.contentHash();      // 64 hex chars, stable across JVMs
 * }
 *
 * @param mergeMethod     mergekit's {@code merge_method} name (not checked here: the planner knows the methods)
 * @param baseModel       {@code base_model}, or {@code null}
 * @param models          {@code models:} entries; empty when {@code slices} is used
 * @param slices          {@code slices:}; empty when {@code models} is used
 * @param parameters      global {@code parameters}
 * @param dtype           {@code dtype} as written ("bfloat16", ...), or {@code null}
 * @param outDtype        {@code out_dtype} as written, or {@code null}
 * @param tokenizerSource {@code tokenizer_source} ("base", "union" or a model), or {@code null}
 * @param layerPath       the data-flow extension {@code layer_path}; empty when absent
 * @param origin          where the recipe was read from, for error messages; not part of the value
 */
public record MergeRecipe(
        String mergeMethod,
        String baseModel,
        List<ModelEntry> models,
        List<SliceDef> slices,
        Map<String, ParameterValue> parameters,
        String dtype,
        String outDtype,
        String tokenizerSource,
        List<LayerStep> layerPath,
        RecipeOrigin origin) {

    public MergeRecipe {
        Objects.requireNonNull(mergeMethod, "mergeMethod");
        models = models == null ? List.of() : List.copyOf(models);
        slices = slices == null ? List.of() : List.copyOf(slices);
        if (models.isEmpty() == slices.isEmpty()) {
            throw new IllegalArgumentException("a recipe needs either models or slices, not both or neither");
        }
        parameters = Params.copy(parameters);
        layerPath = layerPath == null ? List.of() : List.copyOf(layerPath);
        origin = origin == null ? RecipeOrigin.none() : origin;
    }

    /** Whether the recipe uses {@code slices:} rather than {@code models:}. */
    public boolean usesSlices() {
        return !slices.isEmpty();
    }

    /** The same recipe with another data-flow path (empty list: none). */
    public MergeRecipe withLayerPath(List<LayerStep> path) {
        return new MergeRecipe(mergeMethod, baseModel, models, slices, parameters, dtype, outDtype,
                tokenizerSource, path, origin);
    }

    /**
     * The output slices and layers as mergekit plans them; see {@link RecipeLayout}.
     *
     * @param numLayersOfModel layer count of a model directory (from its config.json)
     */
    public RecipeLayout layout(ToIntFunction<String> numLayersOfModel) {
        return RecipeLayout.of(this, numLayersOfModel);
    }

    /** Every parameter setting in the recipe, with its path and {@code file:line}, in recipe order. */
    public List<ParameterSite> parameterSites() {
        List<ParameterSite> sites = new ArrayList<>();
        addSites(sites, "parameters", parameters, null);
        for (int i = 0; i < models.size(); i++) {
            ModelEntry m = models.get(i);
            addSites(sites, "models[" + i + "].parameters", m.parameters(), m.model());
        }
        for (int i = 0; i < slices.size(); i++) {
            SliceDef s = slices.get(i);
            addSites(sites, "slices[" + i + "].parameters", s.parameters(), null);
            for (int j = 0; j < s.sources().size(); j++) {
                SliceSource src = s.sources().get(j);
                addSites(sites, "slices[" + i + "].sources[" + j + "].parameters", src.parameters(), src.model());
            }
        }
        return List.copyOf(sites);
    }

    private void addSites(List<ParameterSite> sites, String prefix, Map<String, ParameterValue> params,
                          String model) {
        params.forEach((name, value) -> {
            String path = prefix + "." + name;
            sites.add(new ParameterSite(path, name, value, model, origin.at(path)));
        });
    }

    /** mergekit-compatible YAML ({@code layer_path} only when present); parses back to an equal recipe. */
    public String toYaml() {
        return RecipeYaml.write(this);
    }

    /** SHA-256 (hex) of a canonical form of the content: equal recipes give equal hashes on any JVM. */
    public String contentHash() {
        return RecipeYaml.contentHash(this);
    }
}
