package dev.evomerge.space;

import dev.evomerge.merge.Gene;
import dev.evomerge.merge.MergeMethod;
import dev.evomerge.merge.MergeMethods;
import dev.evomerge.merge.SearchGenes;
import dev.evomerge.recipe.LayerRange;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.ModelEntry;
import dev.evomerge.recipe.ParameterValue;
import dev.evomerge.recipe.SliceDef;
import dev.evomerge.recipe.SliceSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * mergekit-evolve's parameter space: the genes of a {@link GenomeDefinition} turned into a mergekit recipe.
 *
 * <p>Gene layout (row-major, as mergekit-evolve flattens its genotype tensor):
 * {@code [group][model][filter set][parameter]}, where the filter sets are the genome's {@code filters} in
 * order followed by the default set, and the parameters are the method's per-model genes
 * ({@link SearchGenes#perModel()}: weight, then density for the task-arithmetic family; a selection score for
 * methods without per-model parameters). The method's per-group genes ({@link SearchGenes#perGroup()}, e.g.
 * sce's {@code select_topk}) follow all of those, laid out {@code [group][filter set][parameter]}. With
 * {@link GeneOptions#endGenes()} (methods that merge every model), two more groups of per-model genes follow the
 * layer groups: the embeddings' and the final norm + {@code lm_head}'s, which decode to filter entries
 * ({@code embed_tokens}; {@code lm_head}, {@code model.norm}) ahead of the first and the last slice's lists; only
 * their default filter set's genes are used. Weight genes range over [0, max_weight], or [-max_weight,
 * max_weight] with {@code allow_negative_weights} (mergekit-evolve's layout: max_weight 1); density genes start at
 * the options' density floor (mergekit refuses a density that keeps nothing); every other gene ranges over the
 * bounds its method declares.
 *
 * <p>Decoding: one slice per layer group whose sources are the models over that group's layer range with their
 * genes as parameters (a filter list when the genome has filters) and the group genes as slice parameters, plus
 * the base model as a parameterless source when it is not one of the models; with {@code smooth}, a
 * {@code models:} list whose parameters are gradients over the groups instead. A method that merges a fixed
 * number of models ({@link SearchGenes.Selection.Highest}) gets, per group, the models whose first gene is
 * highest. Slerp ({@link SearchGenes.Selection.SoftmaxPair}) picks the two models with the highest genes per
 * group, the best one as the slice's base model, {@code t} = softmax of the two genes' second entry; unlike
 * mergekit-evolve it never adds a third (base model) source, which slerp cannot merge.
 *
 * {@snippet :
 * ParameterSpace space = new ParameterSpace(genome, 32);
 * double[] genes = new double[space.dimension()];
 * MergeRecipe recipe = space.decode(genes);
 * }
 */
public final class ParameterSpace implements SearchSpace {

    /** What mergekit-evolve sets as the merge's dtype. */
    public static final String DEFAULT_DTYPE = "bfloat16";

    /** Filters that route the embeddings to their own genes (first slice). */
    static final List<String> EMBEDDING_FILTERS = List.of("embed_tokens");
    /** Filters that route the final norm and {@code lm_head} to their own genes (last slice). */
    static final List<String> HEAD_FILTERS = List.of("lm_head", "model.norm");

    private final GenomeDefinition genome;
    private final GeneOptions options;
    private final int endGroups;
    private final int numLayers;
    private final String dtype;
    private final int groups;
    private final int layersPerGroup;
    private final int sets;
    private final List<String> params;
    private final List<Gene> modelGenes;
    private final List<Gene> groupGenes;
    private final MergeMethod method;
    private final List<String> names;
    private final double[] lower;
    private final double[] upper;

    /** mergekit-evolve's space over models with {@code numLayers} layers, merged in {@value #DEFAULT_DTYPE}. */
    public ParameterSpace(GenomeDefinition genome, int numLayers) {
        this(genome, numLayers, DEFAULT_DTYPE);
    }

    /** mergekit-evolve's layout with another {@code dtype} ({@code null}: none). */
    public ParameterSpace(GenomeDefinition genome, int numLayers, String dtype) {
        this(genome, numLayers, new GeneOptions(GeneOptions.MERGEKIT_EVOLVE.maxWeight(), false,
                GeneOptions.MERGEKIT_EVOLVE.minDensity(), dtype));
    }

    /**
     * @param numLayers the models' layer count (from the base model's config)
     * @param options   weight range, end genes, density floor and dtype
     * @throws IllegalArgumentException when {@code layer_granularity} does not divide {@code numLayers}
     */
    public ParameterSpace(GenomeDefinition genome, int numLayers, GeneOptions options) {
        this.genome = Objects.requireNonNull(genome, "genome");
        this.options = Objects.requireNonNull(options, "options");
        if (numLayers < 1) {
            throw new IllegalArgumentException("number of layers must be >= 1, got " + numLayers);
        }
        int g = genome.layerGranularity();
        if (g > 0 && numLayers % g != 0) {
            throw new IllegalArgumentException("genome.layer_granularity: " + g
                    + " does not divide the number of layers " + numLayers);
        }
        this.numLayers = numLayers;
        this.dtype = options.dtype();
        this.groups = g > 0 ? numLayers / g : 1;
        this.layersPerGroup = g > 0 ? g : numLayers;
        this.sets = genome.filters().size() + 1;
        this.method = MergeMethods.byName(genome.mergeMethod());
        this.modelGenes = method.searchGenes().perModel();
        this.groupGenes = method.searchGenes().perGroup();
        this.params = genome.geneParameters();
        // end genes only where every model takes part: a selection picks models per layer group
        this.endGroups = options.endGenes() && method.searchGenes().selection() instanceof SearchGenes.Selection.Every
                && !modelGenes.isEmpty() ? 2 : 0;
        int n = ((groups + endGroups) * genome.models().size() * params.size() + groups * groupGenes.size()) * sets;
        this.names = new ArrayList<>(n);
        this.lower = new double[n];
        this.upper = new double[n];
        int i = 0;
        for (int gr = 0; gr < groups + endGroups; gr++) {
            String range = gr == groups ? "embeddings" : gr == groups + 1 ? "norm + lm_head"
                    : "layers " + gr * layersPerGroup + "-" + ((gr + 1) * layersPerGroup - 1);
            for (String model : genome.models()) {
                for (int s = 0; s < sets; s++) {
                    String set = sets == 1 ? "" : " / " + setName(s);
                    for (Gene gene : modelGenes) {
                        names.add(range + " / " + model + set + " / " + gene.name());
                        lower[i] = lowerBound(gene);
                        upper[i] = upperBound(gene);
                        i++;
                    }
                }
            }
        }
        for (int gr = 0; gr < groups; gr++) {
            String range = "layers " + gr * layersPerGroup + "-" + ((gr + 1) * layersPerGroup - 1);
            for (int s = 0; s < sets; s++) {
                String set = sets == 1 ? "" : " / " + setName(s);
                for (Gene gene : groupGenes) {
                    names.add(range + set + " / " + gene.name());
                    lower[i] = lowerBound(gene);
                    upper[i] = upperBound(gene);
                    i++;
                }
            }
        }
    }

    private double upperBound(Gene gene) {
        return gene.kind() == Gene.Kind.PARAMETER && gene.name().equals("weight") ? options.maxWeight() : gene.upper();
    }

    private double lowerBound(Gene gene) {
        if (gene.kind() == Gene.Kind.PARAMETER && gene.name().equals("density")) {
            return Math.max(gene.lower(), options.minDensity());
        }
        return gene.signable() && genome.allowNegativeWeights() ? -upperBound(gene) : gene.lower();
    }

    /** Weight range, end genes, density floor and dtype. */
    public GeneOptions options() {
        return options;
    }

    /** The method's genes per model, in the layout's parameter order. */
    public List<Gene> modelGenes() {
        return modelGenes;
    }

    /** The method's genes per layer group. */
    public List<Gene> groupGenes() {
        return groupGenes;
    }

    /** The merge method the genes decode to. */
    public MergeMethod method() {
        return method;
    }

    /** Gene group of the embeddings, or -1 when they follow the first layer group. */
    public int embeddingGroup() {
        return endGroups > 0 ? groups : -1;
    }

    /** Gene group of the final norm and {@code lm_head}, or -1 when they follow the last layer group. */
    public int headGroup() {
        return endGroups > 0 ? groups + 1 : -1;
    }

    public GenomeDefinition genome() {
        return genome;
    }

    public int numLayers() {
        return numLayers;
    }

    /** Number of layer groups (1 when {@code layer_granularity} is 0), the end genes' groups not counted. */
    public int groups() {
        return groups;
    }

    /**
     * Index of the gene for a group (layer groups, then {@link #embeddingGroup()} and {@link #headGroup()}), model,
     * filter set (filters in order, then the default) and parameter.
     */
    public int geneIndex(int group, int model, int set, int param) {
        return ((group * genome.models().size() + model) * sets + set) * params.size() + param;
    }

    /** Index of the gene for a group, filter set and the method's per-group parameter. */
    public int groupGeneIndex(int group, int set, int param) {
        return (groups + endGroups) * genome.models().size() * sets * params.size()
                + (group * sets + set) * groupGenes.size()
                + param;
    }

    @Override
    public int dimension() {
        return names.size();
    }

    @Override
    public List<String> geneNames() {
        return List.copyOf(names);
    }

    @Override
    public double lower(int i) {
        return lower[i];
    }

    @Override
    public double upper(int i) {
        return upper[i];
    }

    @Override
    public MergeRecipe decode(double[] genes) {
        double[] x = clamp(genes);
        List<ModelEntry> models = List.of();
        List<SliceDef> slices = List.of();
        Map<String, ParameterValue> global = new LinkedHashMap<>();
        switch (method.searchGenes().selection()) {
            case SearchGenes.Selection.SoftmaxPair p -> slices = slerpSlices(x);
            case SearchGenes.Selection.Highest h -> slices = discreteSlices(x, h.count(), h.count());
            case SearchGenes.Selection.Members mb -> slices = discreteSlices(x, mb.min(), genome.models().size());
            case SearchGenes.Selection.Every e -> {
                if (genome.smooth()) {
                    models = smoothModels(x);
                    global.putAll(smoothGroupParams(x));
                } else {
                    slices = discreteSlices(x, genome.models().size(), genome.models().size());
                }
            }
        }
        if (method.accepts("normalize")) {
            global.put("normalize", ParameterValue.Scalar.of(genome.effectiveNormalize()));
        }
        if (method.accepts("int8_mask")) {
            // mergekit-evolve always asks for it; it only saves memory and does not change the result
            global.put("int8_mask", ParameterValue.Scalar.of(true));
        }
        // slerp names its base per slice, passthrough takes none: no recipe-level base model for them
        String base = method.searchGenes().base() == SearchGenes.BaseUse.NONE ? null : genome.baseModel();
        return new MergeRecipe(genome.mergeMethod(), base, models, slices, global, dtype, null,
                genome.tokenizerSource(), List.of(), null);
    }

    private double[] clamp(double[] genes) {
        if (genes.length != dimension()) {
            throw new IllegalArgumentException("expected " + dimension() + " genes, got " + genes.length);
        }
        double[] x = new double[genes.length];
        for (int i = 0; i < genes.length; i++) {
            if (Double.isNaN(genes[i])) {
                throw new IllegalArgumentException("gene " + i + " (" + names.get(i) + ") is NaN");
            }
            x[i] = Math.max(lower[i], Math.min(upper[i], genes[i]));
        }
        return x;
    }

    private String setName(int s) {
        return s < genome.filters().size() ? genome.filters().get(s) : "default";
    }

    private boolean extraBase() {
        return genome.baseModel() != null && !genome.models().contains(genome.baseModel())
                && method.searchGenes().base() != SearchGenes.BaseUse.NONE;
    }

    private LayerRange range(int group) {
        return new LayerRange(group * layersPerGroup, (group + 1) * layersPerGroup);
    }

    /**
     * The parameters of one model in one group: scalars, or filter lists ending with the default entry. With end
     * genes, the first group's lists start with the embeddings' own genes, the last group's with the norm and head's.
     */
    private Map<String, ParameterValue> groupParams(double[] x, int group, int model) {
        Map<String, ParameterValue> out = new LinkedHashMap<>();
        for (int p = 0; p < params.size(); p++) {
            if (modelGenes.get(p).kind() == Gene.Kind.SCORE) {
                continue;
            }
            List<ParameterValue.FilterEntry> entries = endEntries(x, group == 0, group == groups - 1, model, p);
            if (sets == 1 && entries.isEmpty()) {
                out.put(params.get(p), ParameterValue.Scalar.of(x[geneIndex(group, model, 0, p)]));
            } else {
                for (int s = 0; s < sets; s++) {
                    String filter = s < genome.filters().size() ? genome.filters().get(s) : null;
                    entries.add(new ParameterValue.FilterEntry(filter,
                            ParameterValue.Scalar.of(x[geneIndex(group, model, s, p)])));
                }
                out.put(params.get(p), new ParameterValue.Filtered(entries));
            }
        }
        return out;
    }

    /**
     * Filter entries for the end genes of one model and parameter: the embeddings' where {@code first}, the norm
     * and head's where {@code last}; the default filter set's gene stands for each. Empty without end genes.
     */
    private List<ParameterValue.FilterEntry> endEntries(double[] x, boolean first, boolean last, int model, int p) {
        List<ParameterValue.FilterEntry> entries = new ArrayList<>();
        if (endGroups == 0) {
            return entries;
        }
        if (first) {
            for (String f : EMBEDDING_FILTERS) {
                entries.add(new ParameterValue.FilterEntry(f,
                        ParameterValue.Scalar.of(x[geneIndex(embeddingGroup(), model, sets - 1, p)])));
            }
        }
        if (last) {
            for (String f : HEAD_FILTERS) {
                entries.add(new ParameterValue.FilterEntry(f,
                        ParameterValue.Scalar.of(x[geneIndex(headGroup(), model, sets - 1, p)])));
            }
        }
        return entries;
    }

    /** The group's genes for the method's global parameters: scalars, or filter lists ending with the default. */
    private Map<String, ParameterValue> sliceParams(double[] x, int group) {
        Map<String, ParameterValue> out = new LinkedHashMap<>();
        for (int p = 0; p < groupGenes.size(); p++) {
            if (sets == 1) {
                out.put(groupGenes.get(p).name(), ParameterValue.Scalar.of(x[groupGeneIndex(group, 0, p)]));
            } else {
                List<ParameterValue.FilterEntry> entries = new ArrayList<>();
                for (int s = 0; s < sets; s++) {
                    String filter = s < genome.filters().size() ? genome.filters().get(s) : null;
                    entries.add(new ParameterValue.FilterEntry(filter,
                            ParameterValue.Scalar.of(x[groupGeneIndex(group, s, p)])));
                }
                out.put(groupGenes.get(p).name(), new ParameterValue.Filtered(entries));
            }
        }
        return out;
    }

    /**
     * Per group, the models whose first gene (the default filter set's) is at least 0.5, but no fewer than
     * {@code min} and no more than {@code max} of them, the highest first.
     */
    private List<SliceDef> discreteSlices(double[] x, int min, int max) {
        List<SliceDef> slices = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            List<SliceSource> sources = new ArrayList<>();
            for (int m : ranked(x, g, min, max)) {
                sources.add(new SliceSource(genome.models().get(m), range(g), groupParams(x, g, m)));
            }
            if (extraBase()) {
                sources.add(new SliceSource(genome.baseModel(), range(g), Map.of()));
            }
            slices.add(new SliceDef(sources, sliceParams(x, g), null));
        }
        return slices;
    }

    /** The chosen models of a group (see {@link #discreteSlices}), in model order; all when min covers them. */
    private List<Integer> ranked(double[] x, int group, int min, int max) {
        int n = genome.models().size();
        List<Integer> order = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            order.add(m);
        }
        if (min >= n) {
            return order;
        }
        // highest first; on a tie the earlier model, so decoding stays deterministic
        order.sort((a, b) -> Double.compare(x[geneIndex(group, b, sets - 1, 0)], x[geneIndex(group, a, sets - 1, 0)]));
        int take = min;
        while (take < max && x[geneIndex(group, order.get(take), sets - 1, 0)] >= 0.5) {
            take++;
        }
        return order.subList(0, take).stream().sorted().toList();
    }

    /** With smoothing, each group gene becomes a gradient over the groups in the recipe's global parameters. */
    private Map<String, ParameterValue> smoothGroupParams(double[] x) {
        Map<String, ParameterValue> out = new LinkedHashMap<>();
        for (int p = 0; p < groupGenes.size(); p++) {
            List<ParameterValue.FilterEntry> entries = new ArrayList<>();
            for (int s = 0; s < sets; s++) {
                List<Double> values = new ArrayList<>(groups);
                for (int g = 0; g < groups; g++) {
                    values.add(x[groupGeneIndex(g, s, p)]);
                }
                ParameterValue v = groups == 1 ? ParameterValue.Scalar.of(values.getFirst())
                        : new ParameterValue.Gradient(values);
                entries.add(new ParameterValue.FilterEntry(s < genome.filters().size() ? genome.filters().get(s)
                        : null, v));
            }
            out.put(groupGenes.get(p).name(), sets == 1 ? entries.getFirst().value()
                    : new ParameterValue.Filtered(entries));
        }
        return out;
    }

    /** One value per group spread over the layers; a single group stays a scalar, as in mergekit-evolve. */
    private ParameterValue smoothValue(double[] x, int model, int set, int param) {
        if (groups == 1) {
            return ParameterValue.Scalar.of(x[geneIndex(0, model, set, param)]);
        }
        List<Double> values = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            values.add(x[geneIndex(g, model, set, param)]);
        }
        return new ParameterValue.Gradient(values);
    }

    private List<ModelEntry> smoothModels(double[] x) {
        List<ModelEntry> models = new ArrayList<>();
        for (int m = 0; m < genome.models().size(); m++) {
            Map<String, ParameterValue> out = new LinkedHashMap<>();
            for (int p = 0; p < params.size(); p++) {
                if (modelGenes.get(p).kind() == Gene.Kind.SCORE) {
                    continue;
                }
                List<ParameterValue.FilterEntry> entries = endEntries(x, true, true, m, p);
                if (sets == 1 && entries.isEmpty()) {
                    out.put(params.get(p), smoothValue(x, m, 0, p));
                } else {
                    for (int s = 0; s < sets; s++) {
                        String filter = s < genome.filters().size() ? genome.filters().get(s) : null;
                        entries.add(new ParameterValue.FilterEntry(filter, smoothValue(x, m, s, p)));
                    }
                    out.put(params.get(p), new ParameterValue.Filtered(entries));
                }
            }
            models.add(new ModelEntry(genome.models().get(m), out));
        }
        if (extraBase()) {
            models.add(new ModelEntry(genome.baseModel(), Map.of()));
        }
        return models;
    }

    private List<SliceDef> slerpSlices(double[] x) {
        List<SliceDef> slices = new ArrayList<>(groups);
        int n = genome.models().size();
        for (int g = 0; g < groups; g++) {
            // the two highest genes; on a tie the earlier model wins, so decoding stays deterministic
            int first = -1;
            int second = -1;
            for (int m = 0; m < n; m++) {
                double v = x[geneIndex(g, m, 0, 0)];
                if (first < 0 || v > x[geneIndex(g, first, 0, 0)]) {
                    second = first;
                    first = m;
                } else if (second < 0 || v > x[geneIndex(g, second, 0, 0)]) {
                    second = m;
                }
            }
            double a = x[geneIndex(g, first, 0, 0)];
            double b = x[geneIndex(g, second, 0, 0)];
            double t = 1.0 / (1.0 + Math.exp(a - b)); // softmax([a, b])[1]
            List<SliceSource> sources = new ArrayList<>();
            sources.add(new SliceSource(genome.models().get(first), range(g), Map.of()));
            sources.add(new SliceSource(genome.models().get(second), range(g), Map.of()));
            slices.add(new SliceDef(sources, Map.of("t", ParameterValue.Scalar.of(t)), genome.models().get(first)));
        }
        return slices;
    }
}
