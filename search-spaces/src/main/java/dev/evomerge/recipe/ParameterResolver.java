package dev.evomerge.recipe;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Resolves a recipe's parameters for one tensor, as mergekit's {@code ConfigReader.parameter} does.
 * Levels, most specific first: the slice's sources whose model is {@code model} (in order; only when a
 * model is given), the slice, the recipe's global {@code parameters}. At each level a setting that does
 * not apply (a filter list with no match for the tensor) falls through to the next level. For
 * {@code models:} recipes the model entries' parameters are the source level of the single slice
 * (see {@link RecipeLayout}), so precedence is source &gt; slice &gt; model &gt; global overall.
 *
 * <p>Which tensor name to pass: mergekit evaluates global (method-wide) parameters with the output tensor
 * name and per-model parameters with that model's input tensor name (they differ only in the layer
 * index, for slices that move layers).
 *
 * {@snippet :
 * ParameterResolver r = new ParameterResolver(recipe);
 * Map<String, Object> global = r.resolve(layer.slice(), null, outName, layer.t());
 * Map<String, Object> forA = r.resolve(layer.slice(), "./a", inNameOfA, layer.t());
 * }
 */
public final class ParameterResolver {

    private final MergeRecipe recipe;

    public ParameterResolver(MergeRecipe recipe) {
        this.recipe = Objects.requireNonNull(recipe, "recipe");
    }

    /**
     * Every parameter that is set for this tensor, as {@code Double} or {@code Boolean}; names that are
     * not set at any level are absent (the caller applies the method's defaults).
     *
     * @param slice      the output slice the tensor belongs to (a {@link RecipeLayout} slice), or
     *                   {@code null} for global parameters only
     * @param model      the model whose per-model parameters are wanted, or {@code null} for global ones
     * @param tensorName the tensor name filters are matched against
     * @param t          the gradient position in [0, 1]
     */
    public Map<String, Object> resolve(SliceDef slice, String model, String tensorName, double t) {
        Set<String> names = new LinkedHashSet<>();
        if (slice != null) {
            if (model != null) {
                for (SliceSource s : slice.sources()) {
                    if (s.model().equals(model)) {
                        names.addAll(s.parameters().keySet());
                    }
                }
            }
            names.addAll(slice.parameters().keySet());
        }
        names.addAll(recipe.parameters().keySet());
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : names) {
            Object v = resolve(slice, model, tensorName, t, name);
            if (v != null) {
                out.put(name, v);
            }
        }
        return out;
    }

    /** One parameter's value for this tensor, or {@code null} when no level sets it. */
    public Object resolve(SliceDef slice, String model, String tensorName, double t, String name) {
        if (slice != null) {
            if (model != null) {
                for (SliceSource s : slice.sources()) {
                    if (s.model().equals(model)) {
                        Object v = evaluate(s.parameters(), name, tensorName, t);
                        if (v != null) {
                            return v;
                        }
                    }
                }
            }
            Object v = evaluate(slice.parameters(), name, tensorName, t);
            if (v != null) {
                return v;
            }
        }
        return evaluate(recipe.parameters(), name, tensorName, t);
    }

    private static Object evaluate(Map<String, ParameterValue> params, String name, String tensorName, double t) {
        ParameterValue p = params.get(name);
        return p == null ? null : p.evaluate(tensorName, t);
    }
}
