package dev.evomerge.space;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evomerge.merge.Gene;
import dev.evomerge.merge.MergeMethod;
import dev.evomerge.merge.MergeMethods;
import dev.evomerge.merge.SearchGenes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code genome:} section of a mergekit-evolve config: which models are merged, how, and how finely the
 * genes divide the layers. Validation here needs no model files; the layer count is checked by
 * {@link ParameterSpace}.
 *
 * {@snippet :
 * // genome: {models: [./a, ./b], merge_method: ties, base_model: ./base, layer_granularity: 4}
 * GenomeDefinition g = GenomeDefinition.parse(yamlTree.get("genome"), "evolve.yaml");
 * ParameterSpace space = new ParameterSpace(g, 32);
 * }
 *
 * @param models               {@code models}: the models that get genes, in order
 * @param mergeMethod          {@code merge_method}, any of {@link MergeMethods#names()}; the method's
 *                             {@link MergeMethod#searchGenes()} says which genes it gets
 * @param baseModel            {@code base_model}, or {@code null}
 * @param tokenizerSource      {@code tokenizer_source}, or {@code null}
 * @param layerGranularity     {@code layer_granularity}: layers per gene group; 0 = one group for all layers
 * @param normalize            {@code normalize}, or {@code null} for the method's
 *                             {@link SearchGenes#normalize()} (mergekit-evolve's default)
 * @param allowNegativeWeights {@code allow_negative_weights}: weights range over [-1, 1] instead of [0, 1]
 * @param filters              {@code filters}: tensor-name substrings that get their own genes (empty: none)
 * @param smooth               {@code smooth}: per-group values become gradients over the layers instead of slices
 */
public record GenomeDefinition(
        List<String> models,
        String mergeMethod,
        String baseModel,
        String tokenizerSource,
        int layerGranularity,
        Boolean normalize,
        boolean allowNegativeWeights,
        List<String> filters,
        boolean smooth) {

    private static final Set<String> KEYS = union(Set.of("models", "merge_method", "base_model", "tokenizer_source",
            "layer_granularity", "normalize", "allow_negative_weights", "filters", "smooth"), GeneOptions.KEYS);

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    public GenomeDefinition {
        models = List.copyOf(Objects.requireNonNull(models, "models"));
        filters = filters == null ? List.of() : List.copyOf(filters);
        Objects.requireNonNull(mergeMethod, "mergeMethod");
        if (models.isEmpty()) {
            throw new IllegalArgumentException("genome.models: needs at least one model");
        }
        if (!MergeMethods.names().contains(mergeMethod)) {
            throw new IllegalArgumentException("genome.merge_method: unknown merge method '" + mergeMethod
                    + "' (known: " + String.join(", ", MergeMethods.names().stream().sorted().toList()) + ")");
        }
        SearchGenes genes = MergeMethods.byName(mergeMethod).searchGenes();
        if (layerGranularity < 0) {
            throw new IllegalArgumentException("genome.layer_granularity: must be >= 0, got " + layerGranularity);
        }
        if (genes.base() == SearchGenes.BaseUse.REQUIRED && baseModel == null) {
            throw new IllegalArgumentException("genome.base_model: merge method '" + mergeMethod
                    + "' needs a base_model");
        }
        if (smooth && !(genes.selection() instanceof SearchGenes.Selection.Every)) {
            throw new IllegalArgumentException("genome.smooth: not supported for merge method " + mergeMethod
                    + ", which picks models per layer group");
        }
        if (!filters.isEmpty() && genes.selection() instanceof SearchGenes.Selection.SoftmaxPair) {
            throw new IllegalArgumentException("genome.filters: not supported for merge method " + mergeMethod);
        }
        if (models.size() < genes.selection().minModels()) {
            throw new IllegalArgumentException("genome.models: " + mergeMethod + " needs at least "
                    + genes.selection().minModels() + " models");
        }
        for (String f : filters) {
            if (f == null || f.isEmpty()) {
                throw new IllegalArgumentException("genome.filters: filters must be non-empty strings");
            }
        }
    }

    /** The merge method's genes, as it declares them. */
    public SearchGenes searchGenes() {
        return MergeMethods.byName(mergeMethod).searchGenes();
    }

    /** The parameters each (group, model, filter set) has genes for, in order. */
    public List<String> geneParameters() {
        return searchGenes().perModel().stream().map(Gene::name).toList();
    }

    /** {@code normalize} as the recipe gets it: as written, else the method's default for a search. */
    public boolean effectiveNormalize() {
        if (normalize != null) {
            return normalize;
        }
        return Boolean.TRUE.equals(searchGenes().normalize());
    }

    /** The same as {@link #parse(JsonNode, String)} for a map read by any YAML/JSON reader. */
    public static GenomeDefinition fromMap(Map<String, ?> genome, String source) {
        return parse(new ObjectMapper().valueToTree(genome), source);
    }

    /**
     * Reads the {@code genome:} node of a config.
     *
     * @param genome the node under {@code genome:}
     * @param source the config's name, first word of every error message
     * @throws IllegalArgumentException one line naming {@code source} and the key
     */
    public static GenomeDefinition parse(JsonNode genome, String source) {
        String where = source + ": ";
        if (genome == null || !genome.isObject()) {
            throw new IllegalArgumentException(where + "genome: must be a mapping");
        }
        for (Iterator<String> it = genome.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(where + "genome." + key + ": unknown key (known: "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        try {
            return new GenomeDefinition(
                    stringList(genome, "models", where, true),
                    string(genome, "merge_method", where, true),
                    string(genome, "base_model", where, false),
                    string(genome, "tokenizer_source", where, false),
                    integer(genome, "layer_granularity", where),
                    genome.hasNonNull("normalize") ? bool(genome, "normalize", where) : null,
                    genome.hasNonNull("allow_negative_weights") && bool(genome, "allow_negative_weights", where),
                    stringList(genome, "filters", where, false),
                    genome.hasNonNull("smooth") && bool(genome, "smooth", where));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static String string(JsonNode node, String key, String where, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(where + "genome." + key + ": missing");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException(where + "genome." + key + ": must be a non-empty string");
        }
        return v.asText();
    }

    private static List<String> stringList(JsonNode node, String key, String where, boolean required) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(where + "genome." + key + ": missing");
            }
            return List.of();
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(where + "genome." + key + ": must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual() || item.asText().isEmpty()) {
                throw new IllegalArgumentException(where + "genome." + key + ": must be a list of strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static int integer(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(where + "genome." + key + ": must be an integer");
        }
        return v.intValue();
    }

    private static boolean bool(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(where + "genome." + key + ": must be true or false");
        }
        return v.booleanValue();
    }
}
