package dev.evomerge.arch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which tensors a model family has, read from JSON data in {@code dev/evomerge/arch/} (one file per family,
 * listed in {@code index.json}); per-layer names are templates with {@code ${layer_index}}.
 *
 * {@snippet :
 * Architecture arch = Architecture.forConfig(configJson, Path.of("models/a/config.json"));
 * int n = arch.numLayers(configJson);                 // num_hidden_layers
 * arch.layerWeights(3);                               // model.layers.3.input_layernorm.weight, ...
 * arch.layerOf("model.layers.12.mlp.up_proj.weight"); // OptionalInt[12]
 * arch.renameLayer("model.layers.12.mlp.up_proj.weight", 5); // model.layers.5.mlp.up_proj.weight
 * }
 */
public final class Architecture {

    /** The placeholder for the layer index in per-layer weight names. */
    public static final String LAYER_INDEX = "${layer_index}";

    private static final String RESOURCE_DIR = "/dev/evomerge/arch/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Architecture> BUILT_IN = loadBuiltIns();

    /**
     * One weight of the family.
     *
     * @param name      the tensor name; for per-layer weights a template containing {@code ${layer_index}}
     * @param optional  whether a checkpoint may lack it (mergekit skips it when no input has it)
     * @param tiedTo    the tensor that stands in for it when absent (lm_head: the embeddings), or {@code null}
     * @param embedding whether rows are indexed by token id (embeddings, lm_head)
     */
    public record Weight(String name, boolean optional, String tiedTo, boolean embedding) {
        public Weight {
            Objects.requireNonNull(name, "name");
        }
    }

    private final String modelType;
    private final List<String> architectures;
    private final String numLayersKey;
    private final boolean tieWordEmbeddingsDefault;
    private final List<Weight> pre;
    private final List<Weight> layer;
    private final List<Weight> post;
    private final List<Pattern> layerPatterns;

    private Architecture(String modelType, List<String> architectures, String numLayersKey,
                         boolean tieWordEmbeddingsDefault, List<Weight> pre, List<Weight> layer, List<Weight> post) {
        this.modelType = modelType;
        this.architectures = List.copyOf(architectures);
        this.numLayersKey = numLayersKey;
        this.tieWordEmbeddingsDefault = tieWordEmbeddingsDefault;
        this.pre = List.copyOf(pre);
        this.layer = List.copyOf(layer);
        this.post = List.copyOf(post);
        this.layerPatterns = this.layer.stream().map(w -> {
            int at = w.name().indexOf(LAYER_INDEX);
            return Pattern.compile(Pattern.quote(w.name().substring(0, at)) + "(0|[1-9][0-9]{0,8})"
                    + Pattern.quote(w.name().substring(at + LAYER_INDEX.length())));
        }).toList();
    }

    // ---- lookup ----------------------------------------------------------------------------------------

    /** Every built-in family, in {@code index.json} order. */
    public static List<Architecture> all() {
        return BUILT_IN;
    }

    /** The family with this architecture class name ({@code LlamaForCausalLM}) or model_type ({@code llama}). */
    public static Optional<Architecture> byName(String name) {
        for (Architecture a : BUILT_IN) {
            if (a.architectures.contains(name)) {
                return Optional.of(a);
            }
        }
        return BUILT_IN.stream().filter(a -> a.modelType.equals(name)).findFirst();
    }

    /**
     * The family of a Hugging Face {@code config.json}: by its first {@code architectures} entry, else by
     * {@code model_type}. Throws with a one-line message naming the file and the architecture if unsupported.
     */
    public static Architecture forConfig(JsonNode config, Path configPath) {
        String arch = config.path("architectures").path(0).asText(null);
        String type = config.path("model_type").asText(null);
        if (arch != null) {
            for (Architecture a : BUILT_IN) {
                if (a.architectures.contains(arch)) {
                    return a;
                }
            }
        }
        if (type != null) {
            Optional<Architecture> a = BUILT_IN.stream().filter(x -> x.modelType.equals(type)).findFirst();
            if (a.isPresent() && arch == null) {
                return a.get();
            }
        }
        if (arch == null && type == null) {
            throw new IllegalArgumentException(configPath + ": neither 'architectures' nor 'model_type' says "
                    + "which architecture the model has");
        }
        throw new IllegalArgumentException(configPath + ": unsupported architecture '" + (arch != null ? arch : type)
                + "'" + (arch != null && type != null ? " (model_type '" + type + "')" : "") + "; supported: "
                + String.join(", ", BUILT_IN.stream().flatMap(a -> a.architectures.stream()).toList()));
    }

    // ---- what the family looks like --------------------------------------------------------------------

    /** Hugging Face {@code model_type}. */
    public String modelType() {
        return modelType;
    }

    /** Architecture class names in {@code config.json}'s {@code architectures}. */
    public List<String> architectures() {
        return architectures;
    }

    /** The config key holding the layer count ({@code num_hidden_layers}). */
    public String numLayersKey() {
        return numLayersKey;
    }

    /** The layer count of a model of this family. */
    public int numLayers(JsonNode config) {
        return numLayers(config, Path.of("config.json"));
    }

    /** The layer count, with errors naming {@code configPath}. */
    public int numLayers(JsonNode config, Path configPath) {
        JsonNode n = config.get(numLayersKey);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() <= 0) {
            throw new IllegalArgumentException(configPath + ": '" + numLayersKey + "' must be a positive integer for "
                    + architectures.getFirst() + ", got " + (n == null ? "nothing" : n.toString()));
        }
        return n.intValue();
    }

    /**
     * Whether lm_head shares the embedding matrix: {@code tie_word_embeddings} from the config, else the
     * family's default (true for Gemma, false for Llama, Mistral, Qwen).
     */
    public boolean tiedEmbeddings(JsonNode config) {
        JsonNode t = config.get("tie_word_embeddings");
        return t != null && t.isBoolean() ? t.booleanValue() : tieWordEmbeddingsDefault;
    }

    /** Names of the weights before the first layer (embeddings). */
    public List<String> preWeights() {
        return pre.stream().map(Weight::name).toList();
    }

    /** Names of layer {@code layer}'s weights. */
    public List<String> layerWeights(int layer) {
        if (layer < 0) {
            throw new IllegalArgumentException("layer must be >= 0, got " + layer);
        }
        return this.layer.stream().map(w -> w.name().replace(LAYER_INDEX, Integer.toString(layer))).toList();
    }

    /** Names of the weights after the last layer (final norm, lm_head). */
    public List<String> postWeights() {
        return post.stream().map(Weight::name).toList();
    }

    /** Every weight name of a model with {@code numLayers} layers, in pre, layers, post order. */
    public List<String> allWeights(int numLayers) {
        List<String> all = new ArrayList<>(preWeights());
        for (int i = 0; i < numLayers; i++) {
            all.addAll(layerWeights(i));
        }
        all.addAll(postWeights());
        return List.copyOf(all);
    }

    /** Pre-layer weights with their properties. */
    public List<Weight> preWeightInfo() {
        return pre;
    }

    /** Per-layer weight templates (names contain {@code ${layer_index}}) with their properties. */
    public List<Weight> layerWeightInfo() {
        return layer;
    }

    /** Post-layer weights with their properties. */
    public List<Weight> postWeightInfo() {
        return post;
    }

    /** The family's description of the weight called {@code tensorName} (layer index resolved), if any. */
    public Optional<Weight> weight(String tensorName) {
        for (Weight w : pre) {
            if (w.name().equals(tensorName)) {
                return Optional.of(w);
            }
        }
        for (Weight w : post) {
            if (w.name().equals(tensorName)) {
                return Optional.of(w);
            }
        }
        for (int i = 0; i < layer.size(); i++) {
            if (layerPatterns.get(i).matcher(tensorName).matches()) {
                return Optional.of(layer.get(i));
            }
        }
        return Optional.empty();
    }

    /** Whether a checkpoint may lack this tensor (lm_head when embeddings are tied). */
    public boolean isOptional(String tensorName) {
        return weight(tensorName).map(Weight::optional).orElse(false);
    }

    /** The tensor that stands in for this one when a checkpoint lacks it. */
    public Optional<String> tiedTo(String tensorName) {
        return weight(tensorName).map(Weight::tiedTo);
    }

    /** The layer a per-layer weight belongs to; empty for pre/post weights and unknown names. */
    public OptionalInt layerOf(String tensorName) {
        for (Pattern p : layerPatterns) {
            Matcher m = p.matcher(tensorName);
            if (m.matches()) {
                return OptionalInt.of(Integer.parseInt(m.group(1)));
            }
        }
        return OptionalInt.empty();
    }

    /** The same per-layer weight in layer {@code newLayer} (for slices and passthrough). */
    public String renameLayer(String tensorName, int newLayer) {
        if (newLayer < 0) {
            throw new IllegalArgumentException("layer must be >= 0, got " + newLayer);
        }
        for (int i = 0; i < layerPatterns.size(); i++) {
            if (layerPatterns.get(i).matcher(tensorName).matches()) {
                return layer.get(i).name().replace(LAYER_INDEX, Integer.toString(newLayer));
            }
        }
        throw new IllegalArgumentException("tensor '" + tensorName + "' is not a per-layer weight of "
                + architectures.getFirst());
    }

    @Override
    public String toString() {
        return architectures.getFirst();
    }

    // ---- loading the data ------------------------------------------------------------------------------

    private static List<Architecture> loadBuiltIns() {
        JsonNode index = readResource("index.json");
        List<Architecture> out = new ArrayList<>();
        for (JsonNode family : index.path("families")) {
            String file = family.asText() + ".json";
            out.add(fromJson(readResource(file), file));
        }
        if (out.isEmpty()) {
            throw new IllegalStateException(RESOURCE_DIR + "index.json lists no families");
        }
        return List.copyOf(out);
    }

    private static JsonNode readResource(String file) {
        try (InputStream in = Architecture.class.getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE_DIR + file);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(RESOURCE_DIR + file + ": invalid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    /** Reads one family definition; {@code source} names it in error messages. */
    static Architecture fromJson(JsonNode json, String source) {
        String modelType = text(json, "model_type", source);
        List<String> archs = new ArrayList<>();
        json.path("architectures").forEach(a -> archs.add(a.asText()));
        if (archs.isEmpty()) {
            throw new IllegalStateException(source + ": 'architectures' is missing or empty");
        }
        List<Weight> pre = weights(json, "pre_weights", source, false);
        List<Weight> layer = weights(json, "layer_weights", source, true);
        List<Weight> post = weights(json, "post_weights", source, false);
        if (layer.isEmpty()) {
            throw new IllegalStateException(source + ": 'layer_weights' is empty");
        }
        Map<String, Weight> seen = new LinkedHashMap<>();
        for (List<Weight> group : List.of(pre, layer, post)) {
            for (Weight w : group) {
                if (seen.put(w.name(), w) != null) {
                    throw new IllegalStateException(source + ": weight '" + w.name() + "' is listed twice");
                }
            }
        }
        return new Architecture(modelType, archs, text(json, "num_layers_key", source),
                json.path("tie_word_embeddings_default").asBoolean(false), pre, layer, post);
    }

    private static List<Weight> weights(JsonNode json, String key, String source, boolean perLayer) {
        List<Weight> out = new ArrayList<>();
        for (JsonNode w : json.path(key)) {
            String name = text(w, "name", source);
            int count = name.split(Pattern.quote(LAYER_INDEX), -1).length - 1;
            if (perLayer && count != 1) {
                throw new IllegalStateException(source + ": per-layer weight '" + name + "' must contain "
                        + LAYER_INDEX + " exactly once");
            }
            if (!perLayer && count != 0) {
                throw new IllegalStateException(source + ": " + key + " entry '" + name + "' cannot contain "
                        + LAYER_INDEX);
            }
            out.add(new Weight(name, w.path("optional").asBoolean(false), w.path("tied_to").asText(null),
                    w.path("embedding").asBoolean(false)));
        }
        return out;
    }

    private static String text(JsonNode node, String key, String source) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalStateException(source + ": '" + key + "' must be a non-empty string");
        }
        return v.asText();
    }
}
