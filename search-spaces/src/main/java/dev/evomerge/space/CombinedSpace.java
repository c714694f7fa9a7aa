package dev.evomerge.space;

import dev.evomerge.recipe.MergeRecipe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Parameter space and data-flow space together: the model merged from the parameter genes is the first routed
 * model (the one whose first and last layers anchor the path), the other routed models are given. Genes are the
 * parameter genes followed by the routing genes.
 *
 * <p>A layer path names models by directory, so the merged model is named {@code merged:<content hash of its
 * recipe>}; whoever runs the routed recipe merges {@link #parameterRecipe} first and registers the result under
 * {@link #mergedModelName}. The routed recipe's hash therefore covers the parameter recipe too.
 *
 * {@snippet :
 * CombinedSpace space = new CombinedSpace(parameterSpace, List.of("./c"), List.of(24), 2, 2.0);
 * MergeRecipe merged = space.parameterRecipe(genes);   // merge this first...
 * MergeRecipe routed = space.decode(genes);            // ...then run this path over it and ./c
 * }
 */
public final class CombinedSpace implements SearchSpace {

    /** Prefix of the merged model's name in routed recipes. */
    public static final String MERGED_PREFIX = "merged:";

    private final ParameterSpace parameters;
    private final LayerRoutingSpace routing;

    /**
     * @param parameters   the space of the merged model
     * @param otherModels  further routed models (may be empty), after the merged one
     * @param otherLayers  their layer counts
     * @param repeats      repetitions of the slot sequence
     * @param maxScale     exclusive upper bound of the scaling genes
     */
    public CombinedSpace(ParameterSpace parameters, List<String> otherModels, List<Integer> otherLayers,
                         int repeats, double maxScale) {
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        List<String> names = new ArrayList<>();
        names.add(MERGED_PREFIX);
        names.addAll(otherModels);
        List<Integer> layers = new ArrayList<>();
        layers.add(parameters.numLayers());
        layers.addAll(otherLayers);
        this.routing = new LayerRoutingSpace(names, layers, repeats, maxScale);
    }

    public ParameterSpace parameterSpace() {
        return parameters;
    }

    /** The routing part; its first model is a placeholder for the merged model's name. */
    public LayerRoutingSpace routingSpace() {
        return routing;
    }

    @Override
    public int dimension() {
        return parameters.dimension() + routing.dimension();
    }

    @Override
    public List<String> geneNames() {
        List<String> names = new ArrayList<>(parameters.geneNames());
        names.addAll(routing.geneNames());
        return List.copyOf(names);
    }

    @Override
    public double lower(int i) {
        int p = parameters.dimension();
        return i < p ? parameters.lower(i) : routing.lower(i - p);
    }

    @Override
    public double upper(int i) {
        int p = parameters.dimension();
        return i < p ? parameters.upper(i) : routing.upper(i - p);
    }

    /** The recipe of the merged model: the parameter genes decoded alone. */
    public MergeRecipe parameterRecipe(double[] genes) {
        checkLength(genes);
        return parameters.decode(Arrays.copyOf(genes, parameters.dimension()));
    }

    /** The name the merged model has in the routed recipe. */
    public String mergedModelName(double[] genes) {
        return MERGED_PREFIX + parameterRecipe(genes).contentHash();
    }

    /** The routed recipe (passthrough with a layer path over the merged model and the other models). */
    @Override
    public MergeRecipe decode(double[] genes) {
        List<String> names = new ArrayList<>(routing.models());
        names.set(0, mergedModelName(genes));
        return LayerRoutingSpace.recipe(names, routing.path(genes, parameters.dimension(), names));
    }

    /** Number of layers the routed path runs. */
    public int pathLength(double[] genes) {
        checkLength(genes);
        return routing.pathLength(Arrays.copyOfRange(genes, parameters.dimension(), genes.length));
    }

    private void checkLength(double[] genes) {
        if (genes.length != dimension()) {
            throw new IllegalArgumentException("expected " + dimension() + " genes, got " + genes.length);
        }
    }
}
