package dev.evomerge.eval.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evomerge.checkpoint.JsonErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the decoder needs to know from a Llama-family {@code config.json} (Llama, Mistral, Qwen2, Qwen3).
 * Read and validated before any weight is touched, so a model the runtime cannot run fails in milliseconds.
 *
 * {@snippet :
 * LlamaConfig c = LlamaConfig.read(Path.of("models/llama"));   // throws naming config.json if unsupported
 * int groups = c.numHeads() / c.numKvHeads();
 * }
 *
 * @param family        which family's weight layout to expect
 * @param qkvBias       q, k and v projections carry biases (Qwen2 always; Llama with {@code attention_bias})
 * @param oBias         the output projection carries a bias (Llama with {@code attention_bias})
 * @param qkNorm        per-head RMS norms on queries and keys (Qwen3)
 * @param slidingWindow Mistral-style attention window, 0 when none; the decoder attends to the full context,
 *                      so it refuses sequences longer than the window rather than silently differ
 * @param ropeScaling   Llama 3 frequency scaling, or null
 * @param maxPositionEmbeddings the context the model was trained for ({@code max_position_embeddings}); 0 when
 *                      config.json does not say. The decoder runs longer sequences; task scoring reads it (rolling
 *                      windows, a warning)
 */
public record LlamaConfig(
        Family family,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean qkvBias,
        boolean oBias,
        boolean qkNorm,
        int slidingWindow,
        int maxPositionEmbeddings) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The model families this decoder runs; each differs only in which optional tensors exist. */
    public enum Family {
        LLAMA("LlamaForCausalLM", "llama"),
        MISTRAL("MistralForCausalLM", "mistral"),
        QWEN2("Qwen2ForCausalLM", "qwen2"),
        QWEN3("Qwen3ForCausalLM", "qwen3");

        private final String architecture;
        private final String modelType;

        Family(String architecture, String modelType) {
            this.architecture = architecture;
            this.modelType = modelType;
        }

        public String architecture() {
            return architecture;
        }

        public String modelType() {
            return modelType;
        }
    }

    /**
     * Llama 3 {@code rope_scaling} ({@code rope_type: llama3}): long wavelengths are divided by
     * {@code factor}, short ones kept, the band between interpolated.
     */
    public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositionEmbeddings) {
        public RopeScaling {
            if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)
                    || originalMaxPositionEmbeddings <= 0) {
                throw new IllegalArgumentException("invalid llama3 rope_scaling: factor " + factor
                        + ", low_freq_factor " + lowFreqFactor + ", high_freq_factor " + highFreqFactor
                        + ", original_max_position_embeddings " + originalMaxPositionEmbeddings);
            }
        }
    }

    public LlamaConfig {
        Objects.requireNonNull(family, "family");
        for (int v : new int[] {hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, vocabSize}) {
            if (v <= 0) {
                throw new IllegalArgumentException("config sizes must be positive: " + v);
            }
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads
                    + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for rotary embeddings, got " + headDim);
        }
        if (maxPositionEmbeddings < 0) {
            throw new IllegalArgumentException("max_position_embeddings must be >= 0, got " + maxPositionEmbeddings);
        }
        if (slidingWindow < 0) {
            throw new IllegalArgumentException("sliding_window must be >= 0, got " + slidingWindow);
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("rms_norm_eps and rope_theta must be positive");
        }
    }

    /** Reads {@code dir/config.json}. */
    public static LlamaConfig read(Path dir) {
        Path file = dir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": config.json is missing");
        }
        try {
            return fromJson(JSON.readTree(file.toFile()), file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": invalid JSON: " + JsonErrors.describe(e), e);
        }
    }

    /** Parses a config already read; {@code file} names it in error messages. */
    public static LlamaConfig fromJson(JsonNode c, Path file) {
        Family family = family(c, file);
        try {
            int hidden = required(c, "hidden_size", file);
            int heads = required(c, "num_attention_heads", file);
            int kvHeads = c.path("num_key_value_heads").isNumber() ? c.get("num_key_value_heads").asInt() : heads;
            int headDim = c.path("head_dim").isNumber() ? c.get("head_dim").asInt() : hidden / heads;
            String act = c.path("hidden_act").asText("silu");
            if (!act.equals("silu")) {
                throw new IllegalArgumentException(file + ": hidden_act '" + act + "' is not supported (only silu)");
            }
            if (c.path("mlp_bias").asBoolean(false)) {
                throw new IllegalArgumentException(file + ": mlp_bias true is not supported");
            }
            boolean attentionBias = c.path("attention_bias").asBoolean(false);
            boolean qkvBias = family == Family.QWEN2 || attentionBias;
            // Qwen2/Qwen3 put attention_bias on q, k, v only; Llama's flag covers o_proj too.
            boolean oBias = attentionBias && (family == Family.LLAMA || family == Family.MISTRAL);
            return new LlamaConfig(family, hidden, required(c, "intermediate_size", file),
                    required(c, "num_hidden_layers", file), heads, kvHeads, headDim,
                    required(c, "vocab_size", file),
                    c.path("rms_norm_eps").asDouble(1e-6),
                    c.path("rope_theta").asDouble(10000.0),
                    ropeScaling(c.path("rope_scaling"), file),
                    c.path("tie_word_embeddings").asBoolean(false),
                    qkvBias, oBias, family == Family.QWEN3, slidingWindow(c, family), maxPositionEmbeddings(c, file));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                throw e;
            }
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static Family family(JsonNode c, Path file) {
        String arch = c.path("architectures").path(0).asText(null);
        String type = c.path("model_type").asText(null);
        for (Family f : Family.values()) {
            if (arch != null ? f.architecture.equals(arch) : f.modelType.equals(type)) {
                return f;
            }
        }
        if (arch == null && type == null) {
            throw new IllegalArgumentException(file + ": neither 'architectures' nor 'model_type' names the architecture");
        }
        throw new IllegalArgumentException(file + ": unsupported architecture '" + (arch != null ? arch : type)
                + "' (the evaluator runs " + List.of(Family.values()).stream().map(Family::architecture).toList() + ")");
    }

    /** Mistral uses {@code sliding_window} when set; Qwen2/3 only with {@code use_sliding_window: true}. */
    private static int slidingWindow(JsonNode c, Family family) {
        JsonNode w = c.path("sliding_window");
        boolean used = family == Family.MISTRAL ? c.path("use_sliding_window").asBoolean(true)
                : c.path("use_sliding_window").asBoolean(false);
        return used && w.canConvertToInt() ? w.asInt() : 0;
    }

    private static int maxPositionEmbeddings(JsonNode c, Path file) {
        JsonNode v = c.get("max_position_embeddings");
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.canConvertToInt() || v.asInt() < 1) {
            throw new IllegalArgumentException(file + ": 'max_position_embeddings' must be a positive integer, got " + v);
        }
        return v.asInt();
    }

    private static RopeScaling ropeScaling(JsonNode s, Path file) {
        if (s.isMissingNode() || s.isNull()) {
            return null;
        }
        String type = s.path("rope_type").asText(s.path("type").asText(""));
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals("llama3")) {
            throw new IllegalArgumentException(file + ": rope_scaling type '" + type + "' is not supported (only llama3)");
        }
        return new RopeScaling(s.path("factor").asDouble(Double.NaN), s.path("low_freq_factor").asDouble(Double.NaN),
                s.path("high_freq_factor").asDouble(Double.NaN), s.path("original_max_position_embeddings").asInt(0));
    }

    private static int required(JsonNode c, String key, Path file) {
        JsonNode v = c.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException(file + ": '" + key + "' is missing or not an integer");
        }
        return v.asInt();
    }

    /** Query heads that share one key/value head. */
    public int groups() {
        return numHeads / numKvHeads;
    }
}
