package dev.evomerge.eval.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaConfigTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Path FILE = Path.of("m/config.json");

    static ObjectNode llama() {
        return SyntheticCheckpoints.llamaConfig(2, 16, 32, 64, DType.F32);
    }

    @Test
    void readsTheSizesAndDefaultsHeadDimToHiddenOverHeads() {
        ObjectNode c = llama();
        c.remove("head_dim");
        c.put("num_key_value_heads", 2);
        LlamaConfig cfg = LlamaConfig.fromJson(c, FILE);
        assertEquals(LlamaConfig.Family.LLAMA, cfg.family());
        assertEquals(4, cfg.headDim());
        assertEquals(2, cfg.groups());
        assertEquals(1e-5, cfg.rmsNormEps());
        assertNull(cfg.ropeScaling());
        assertFalse(cfg.qkvBias());
    }

    @Test
    void readsLlama3RopeScaling() {
        ObjectNode c = llama();
        ObjectNode r = c.putObject("rope_scaling");
        r.put("rope_type", "llama3").put("factor", 8.0).put("low_freq_factor", 1.0).put("high_freq_factor", 4.0)
                .put("original_max_position_embeddings", 8192);
        assertEquals(new LlamaConfig.RopeScaling(8, 1, 4, 8192), LlamaConfig.fromJson(c, FILE).ropeScaling());
    }

    @Test
    void ropeFrequenciesFollowTheThreeLlama3Bands() {
        // theta 500, head_dim 4: inv_freq 1 (wavelen 2pi) and 1/sqrt(500) (wavelen ~140). With original 64 the
        // bands are: short below 16 (kept), long above 64 (divided by factor).
        float[] plain = Rope.inverseFrequencies(4, 500, null);
        float[] scaled = Rope.inverseFrequencies(4, 500, new LlamaConfig.RopeScaling(4, 1, 4, 64));
        assertEquals(1f, scaled[0]);
        assertEquals(plain[1] / 4, scaled[1], 1e-7);
        // With original 16 the bands are (4, 16): wavelen 2pi is in between, interpolated with
        // smooth = (16 / 2pi - 1) / 3.
        double smooth = (16 / (2 * Math.PI) - 1) / 3;
        float medium = Rope.inverseFrequencies(4, 500, new LlamaConfig.RopeScaling(4, 1, 4, 16))[0];
        assertEquals((1 - smooth) / 4 + smooth, medium, 1e-7);
    }

    @Test
    void qwen2HasQkvBiasesAndQwen3HasQkNorms() {
        ObjectNode c = llama();
        c.putArray("architectures").add("Qwen2ForCausalLM");
        assertTrue(LlamaConfig.fromJson(c, FILE).qkvBias());
        assertFalse(LlamaConfig.fromJson(c, FILE).oBias());
        c.putArray("architectures").add("Qwen3ForCausalLM");
        assertTrue(LlamaConfig.fromJson(c, FILE).qkNorm());
        assertFalse(LlamaConfig.fromJson(c, FILE).qkvBias());
    }

    @Test
    void mistralKeepsItsSlidingWindowAndQwenOnlyWhenEnabled() {
        ObjectNode c = llama();
        c.putArray("architectures").add("MistralForCausalLM");
        c.put("sliding_window", 4096);
        assertEquals(4096, LlamaConfig.fromJson(c, FILE).slidingWindow());
        c.putArray("architectures").add("Qwen2ForCausalLM");
        assertEquals(0, LlamaConfig.fromJson(c, FILE).slidingWindow());
        c.put("use_sliding_window", true);
        assertEquals(4096, LlamaConfig.fromJson(c, FILE).slidingWindow());
    }

    @Test
    void anUnsupportedArchitectureFailsBeforeAnyWeightIsRead(@TempDir Path tmp) throws Exception {
        ObjectNode c = llama();
        c.putArray("architectures").add("GPT2LMHeadModel");
        c.put("model_type", "gpt2");
        // No weights at all: the error must come from config.json, not from the missing safetensors.
        Files.writeString(tmp.resolve("config.json"), JSON.writeValueAsString(c));
        var e = assertThrows(IllegalArgumentException.class, () -> ModelWeights.load(tmp, ComputeDevice.CPU));
        assertTrue(e.getMessage().startsWith(tmp.resolve("config.json") + ": unsupported architecture 'GPT2LMHeadModel'"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void maxPositionEmbeddingsIsReadWhenGivenAndZeroWhenNot() {
        ObjectNode c = llama();
        c.put("max_position_embeddings", 4096);
        assertEquals(4096, LlamaConfig.fromJson(c, FILE).maxPositionEmbeddings());
        c.remove("max_position_embeddings");
        assertEquals(0, LlamaConfig.fromJson(c, FILE).maxPositionEmbeddings());
        c.put("max_position_embeddings", "long");
        var e = assertThrows(IllegalArgumentException.class, () -> LlamaConfig.fromJson(c, FILE));
        assertEquals(FILE + ": 'max_position_embeddings' must be a positive integer, got \"long\"", e.getMessage());
    }

    @Test
    void aMissingKeyNamesFileAndKey() {
        ObjectNode c = llama();
        c.remove("intermediate_size");
        var e = assertThrows(IllegalArgumentException.class, () -> LlamaConfig.fromJson(c, FILE));
        assertEquals(FILE + ": 'intermediate_size' is missing or not an integer", e.getMessage());
    }

    @Test
    void anUnsupportedRopeScalingIsRejected() {
        ObjectNode c = llama();
        c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0);
        var e = assertThrows(IllegalArgumentException.class, () -> LlamaConfig.fromJson(c, FILE));
        assertTrue(e.getMessage().contains("rope_scaling type 'yarn'"), e.getMessage());
    }

    @Test
    void aCheckpointWhoseTensorsDisagreeWithTheConfigFailsNamingTheTensor(@TempDir Path tmp) throws Exception {
        Path dir = SyntheticCheckpoints.llama(tmp.resolve("m"), 1, 16, 32, 64, DType.F32, 1);
        ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        c.put("intermediate_size", 48);
        Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(c));
        var e = assertThrows(IllegalArgumentException.class, () -> ModelWeights.load(dir, ComputeDevice.CPU));
        assertTrue(e.getMessage().contains("'model.layers.0.mlp.gate_proj.weight' has shape"), e.getMessage());
    }
}
