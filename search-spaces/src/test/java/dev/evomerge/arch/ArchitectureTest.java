package dev.evomerge.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CONFIG = Path.of("models/a/config.json");

    private static JsonNode config(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Architecture of(String arch) {
        return Architecture.forConfig(config("{\"architectures\": [\"" + arch + "\"], \"num_hidden_layers\": 4}"),
                CONFIG);
    }

    @Test
    void llamaLayout() {
        Architecture a = of("LlamaForCausalLM");
        assertEquals("llama", a.modelType());
        assertEquals(List.of("model.embed_tokens.weight"), a.preWeights());
        assertEquals(List.of(
                "model.layers.2.input_layernorm.weight",
                "model.layers.2.self_attn.q_proj.weight",
                "model.layers.2.self_attn.k_proj.weight",
                "model.layers.2.self_attn.v_proj.weight",
                "model.layers.2.self_attn.o_proj.weight",
                "model.layers.2.post_attention_layernorm.weight",
                "model.layers.2.mlp.gate_proj.weight",
                "model.layers.2.mlp.up_proj.weight",
                "model.layers.2.mlp.down_proj.weight"), a.layerWeights(2));
        assertEquals(List.of("model.norm.weight", "lm_head.weight"), a.postWeights());
        assertTrue(a.isOptional("lm_head.weight"));
        assertFalse(a.isOptional("model.norm.weight"));
        assertEquals(Optional.of("model.embed_tokens.weight"), a.tiedTo("lm_head.weight"));
        assertEquals(4, a.numLayers(config("{\"num_hidden_layers\": 4}")));
        assertEquals(1 + 4 * 9 + 2, a.allWeights(4).size());
    }

    @Test
    void mistralHasTheLlamaTensors() {
        Architecture m = of("MistralForCausalLM");
        assertEquals("mistral", m.modelType());
        assertEquals(of("LlamaForCausalLM").layerWeights(0), m.layerWeights(0));
    }

    @Test
    void qwen2HasQkvBiases() {
        List<String> w = of("Qwen2ForCausalLM").layerWeights(0);
        assertTrue(w.containsAll(List.of("model.layers.0.self_attn.q_proj.bias", "model.layers.0.self_attn.k_proj.bias",
                "model.layers.0.self_attn.v_proj.bias")), w.toString());
        assertFalse(w.contains("model.layers.0.self_attn.o_proj.bias"));
        assertEquals(12, w.size());
    }

    @Test
    void qwen3HasQkNormsAndNoBiases() {
        List<String> w = of("Qwen3ForCausalLM").layerWeights(1);
        assertTrue(w.contains("model.layers.1.self_attn.q_norm.weight"));
        assertTrue(w.contains("model.layers.1.self_attn.k_norm.weight"));
        assertTrue(w.stream().noneMatch(n -> n.endsWith(".bias")));
        assertEquals(11, w.size());
    }

    @Test
    void gemmaFamilies() {
        Architecture g = of("GemmaForCausalLM");
        assertEquals(9, g.layerWeights(0).size());
        assertTrue(g.tiedEmbeddings(config("{}")));
        assertFalse(g.tiedEmbeddings(config("{\"tie_word_embeddings\": false}")));
        assertFalse(of("LlamaForCausalLM").tiedEmbeddings(config("{}")));
        List<String> g2 = of("Gemma2ForCausalLM").layerWeights(0);
        assertTrue(g2.contains("model.layers.0.pre_feedforward_layernorm.weight"));
        assertTrue(g2.contains("model.layers.0.post_feedforward_layernorm.weight"));
        assertEquals(11, g2.size());
        assertEquals(13, of("Gemma3ForCausalLM").layerWeights(0).size());
    }

    @Test
    void layerOfAndRename() {
        Architecture a = of("Qwen2ForCausalLM");
        assertEquals(OptionalInt.of(12), a.layerOf("model.layers.12.self_attn.q_proj.bias"));
        assertEquals(OptionalInt.empty(), a.layerOf("model.embed_tokens.weight"));
        assertEquals(OptionalInt.empty(), a.layerOf("model.layers.x.mlp.up_proj.weight"));
        assertEquals(OptionalInt.empty(), a.layerOf("model.layers.1.mlp.up_proj.weight.extra"));
        assertEquals("model.layers.3.self_attn.q_proj.bias", a.renameLayer("model.layers.12.self_attn.q_proj.bias", 3));
        assertThrows(IllegalArgumentException.class, () -> a.renameLayer("model.norm.weight", 3));
        for (int layer : new int[] {0, 7, 31}) {
            for (String name : a.layerWeights(layer)) {
                assertEquals(OptionalInt.of(layer), a.layerOf(name), name);
                assertEquals(a.layerWeights(5).get(a.layerWeights(layer).indexOf(name)), a.renameLayer(name, 5));
            }
        }
    }

    @Test
    void lookupByModelTypeWhenNoArchitecturesListed() {
        assertEquals("qwen3", Architecture.forConfig(config("{\"model_type\": \"qwen3\"}"), CONFIG).modelType());
        assertEquals(Optional.of("gemma2"), Architecture.byName("gemma2").map(Architecture::modelType));
        assertEquals(Optional.of("llama"), Architecture.byName("LlamaForCausalLM").map(Architecture::modelType));
    }

    @Test
    void unsupportedArchitectureNamesFileAndArchitecture() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architecture.forConfig(
                config("{\"architectures\": [\"GPT2LMHeadModel\"], \"model_type\": \"gpt2\"}"), CONFIG));
        assertTrue(e.getMessage().startsWith(CONFIG + ": unsupported architecture 'GPT2LMHeadModel' "
                + "(model_type 'gpt2'); supported: LlamaForCausalLM"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Architecture.forConfig(config("{}"), CONFIG));
        assertTrue(none.getMessage().startsWith(CONFIG + ": "), none.getMessage());
    }

    @Test
    void badLayerCountNamesTheKey() {
        Architecture a = of("LlamaForCausalLM");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.numLayers(config("{\"num_hidden_layers\": \"many\"}"), CONFIG));
        assertEquals(CONFIG + ": 'num_hidden_layers' must be a positive integer for LlamaForCausalLM, got \"many\"",
                e.getMessage());
    }

    @Test
    void everyFamilyHasUniqueWeightsAndEmbeddings() {
        assertEquals(7, Architecture.all().size());
        for (Architecture a : Architecture.all()) {
            List<String> all = a.allWeights(3);
            assertEquals(all.size(), new HashSet<>(all).size(), a.toString());
            assertTrue(a.preWeightInfo().getFirst().embedding(), a.toString());
            assertTrue(a.postWeights().contains("model.norm.weight"), a.toString());
        }
    }

    @Test
    void definitionsAreValidated() {
        JsonNode bad = config("""
                {"model_type": "x", "architectures": ["X"], "num_layers_key": "n",
                 "layer_weights": [{"name": "model.layers.mlp.weight"}]}""");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Architecture.fromJson(bad, "x.json"));
        assertEquals("x.json: per-layer weight 'model.layers.mlp.weight' must contain ${layer_index} exactly once",
                e.getMessage());
    }
}
