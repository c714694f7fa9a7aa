package dev.evomerge.results.report;

import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.OutputLayer;
import dev.evomerge.recipe.ParameterResolver;
import dev.evomerge.recipe.ParameterSite;
import dev.evomerge.recipe.ParameterValue;
import dev.evomerge.recipe.RecipeLayout;
import dev.evomerge.recipe.SliceSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * One merge parameter (e.g. {@code weight}) of a recipe, resolved per source model (and per tensor filter)
 * at every output layer, as the merge planner sees it: gradients interpolated across layers, filter lists
 * matched, per-model settings falling back to slice and global ones. {@code NaN} where a model has no such
 * parameter at a layer (e.g. a base model that is not in that slice).
 *
 * {@snippet :
 * ParameterGrid w = ParameterGrid.of(recipe, "weight", model -> 8);
 * Charts.heatMap("weights", w.rows(), w.columns(), w.values());
 * }
 *
 * @param parameter the parameter name
 * @param rows      "model" or "model · filter" per row
 * @param columns   output layer indices
 * @param values    rows x columns
 */
public record ParameterGrid(String parameter, List<String> rows, List<String> columns, double[][] values) {

    public ParameterGrid {
        Objects.requireNonNull(parameter, "parameter");
        rows = List.copyOf(rows);
        columns = List.copyOf(columns);
        values = values.clone();
    }

    /** Whether any cell holds a value. */
    public boolean isEmpty() {
        for (double[] row : values) {
            for (double v : row) {
                if (!Double.isNaN(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Resolves {@code parameter} over the recipe's output layers.
     *
     * @param numLayersOfModel layer count of a model (only asked for {@code models:} recipes)
     */
    public static ParameterGrid of(MergeRecipe recipe, String parameter, ToIntFunction<String> numLayersOfModel) {
        RecipeLayout layout = recipe.layout(numLayersOfModel);
        ParameterResolver resolver = new ParameterResolver(recipe);
        List<String> filters = filters(recipe);
        List<String> models = new ArrayList<>();
        for (var slice : layout.slices()) {
            for (SliceSource s : slice.sources()) {
                if (!models.contains(s.model())) {
                    models.add(s.model());
                }
            }
        }
        Map<String, String> names = Charts.shortNames(models);
        // Tensor-name stand-ins: one per filter, and one that no filter matches for everything else.
        List<String> groups = new ArrayList<>(filters);
        boolean other = !filters.isEmpty() && filters.stream().noneMatch(f -> "model.layers.0.other.weight".contains(f));
        if (other) {
            groups.add(null);
        }
        if (groups.isEmpty()) {
            groups.add(null);
        }
        List<String> rows = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        int n = layout.numLayers();
        for (String model : models) {
            for (String group : groups) {
                double[] row = new double[n];
                for (OutputLayer layer : layout.layers()) {
                    row[layer.index()] = Double.NaN;
                    for (SliceSource src : layer.slice().sources()) {
                        if (!src.model().equals(model)) {
                            continue;
                        }
                        String tensor = "model.layers." + layer.inputLayer(src) + "."
                                + (group == null ? "other" : group) + ".weight";
                        Object v = resolver.resolve(layer.slice(), model, tensor, layer.t(), parameter);
                        if (v instanceof Double d) {
                            row[layer.index()] = d;
                        } else if (v instanceof Boolean b) {
                            row[layer.index()] = b ? 1 : 0;
                        }
                        break;
                    }
                }
                rows.add(filters.isEmpty() ? names.get(model)
                        : names.get(model) + " · " + (group == null ? "other" : group));
                values.add(row);
            }
        }
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            columns.add(Integer.toString(i));
        }
        return new ParameterGrid(parameter, rows, columns, values.toArray(double[][]::new));
    }

    /** The rows that hold at least one value (a base model without weights drops out). */
    public ParameterGrid withoutEmptyRows() {
        List<String> r = new ArrayList<>();
        List<double[]> v = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            for (double x : values[i]) {
                if (!Double.isNaN(x)) {
                    r.add(rows.get(i));
                    v.add(values[i]);
                    break;
                }
            }
        }
        return new ParameterGrid(parameter, r, columns, v.toArray(double[][]::new));
    }

    /** The longest gradient in the recipe: layers to show when the models' layer counts are unknown. */
    public static int gradientPoints(MergeRecipe recipe) {
        int n = 1;
        for (ParameterSite site : recipe.parameterSites()) {
            n = Math.max(n, points(site.value()));
        }
        return n;
    }

    private static int points(ParameterValue v) {
        return switch (v) {
            case ParameterValue.Gradient g -> g.values().size();
            case ParameterValue.Filtered f -> f.entries().stream().mapToInt(e -> points(e.value())).max().orElse(1);
            case ParameterValue.Scalar s -> 1;
        };
    }

    private static List<String> filters(MergeRecipe recipe) {
        Set<String> out = new LinkedHashSet<>();
        for (ParameterSite site : recipe.parameterSites()) {
            if (site.value() instanceof ParameterValue.Filtered f) {
                for (ParameterValue.FilterEntry e : f.entries()) {
                    if (e.filter() != null && !e.filter().equals("*")) {
                        out.add(e.filter());
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterGrid g && parameter.equals(g.parameter) && rows.equals(g.rows)
                && columns.equals(g.columns) && java.util.Arrays.deepEquals(values, g.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(parameter, rows, columns, java.util.Arrays.deepHashCode(values));
    }

    @Override
    public String toString() {
        return "ParameterGrid[" + parameter + ", " + rows + ", " + columns.size() + " layers]";
    }
}
