package dev.evomerge.eval.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.checkpoint.CheckpointWriter;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.checkpoint.TensorSpec;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny Llama-family checkpoints for the decoder tests. Weights are larger than trained ones (projections
 * uniform in +-0.5) so attention is far from uniform and every piece of the forward pass moves the
 * log-probabilities well above the test tolerance.
 */
final class TinyModels {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sizes and the family switches of one fixture. */
    record Spec(String architecture, String modelType, int layers, int hidden, int heads, int kvHeads, int headDim,
                int intermediate, int vocab, boolean tied, boolean qkvBias, boolean qkNorm, boolean llama3Rope,
                DType dtype) {
    }

    /** Llama, grouped-query attention (4 query heads over 2 kv heads), untied head, Llama 3 rope scaling, bf16. */
    static Spec llamaGqa() {
        return new Spec("LlamaForCausalLM", "llama", 2, 16, 4, 2, 4, 24, 40, false, false, false, true, DType.BF16);
    }

    /** Qwen2: q/k/v biases, tied embeddings, GQA, f32. */
    static Spec qwen2() {
        return new Spec("Qwen2ForCausalLM", "qwen2", 2, 16, 4, 2, 4, 20, 36, true, true, false, false, DType.F32);
    }

    /** Qwen3: per-head q/k norms, head_dim 8 != hidden/heads, GQA (4 over 1), tied, f16. */
    static Spec qwen3() {
        return new Spec("Qwen3ForCausalLM", "qwen3", 2, 16, 4, 1, 8, 24, 32, true, false, true, false, DType.F16);
    }

    /** Llama with {@code attention_bias: true}: biases on q, k, v and o; MHA (kv heads == heads); f32. */
    static Spec llamaBiased() {
        return new Spec("LlamaForCausalLM", "llama", 2, 16, 2, 2, 8, 20, 30, false, true, false, false, DType.F32);
    }

    private static boolean oBias(Spec s) {
        return s.qkvBias() && s.modelType().equals("llama");
    }

    static Path write(Path dir, Spec s, long seed) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(s.architecture());
        c.put("model_type", s.modelType());
        c.put("hidden_size", s.hidden());
        c.put("intermediate_size", s.intermediate());
        c.put("num_hidden_layers", s.layers());
        c.put("num_attention_heads", s.heads());
        c.put("num_key_value_heads", s.kvHeads());
        c.put("head_dim", s.headDim());
        c.put("vocab_size", s.vocab());
        c.put("max_position_embeddings", 64);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 500.0);
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", s.tied());
        if (oBias(s)) {
            c.put("attention_bias", true);
        }
        if (s.llama3Rope()) {
            ObjectNode r = c.putObject("rope_scaling");
            r.put("rope_type", "llama3");
            r.put("factor", 4.0);
            r.put("low_freq_factor", 1.0);
            r.put("high_freq_factor", 4.0);
            // Small, so that with theta 500 and head_dim 4 one frequency is interpolated and one divided.
            r.put("original_max_position_embeddings", 16);
        }
        List<TensorSpec> specs = specs(s);
        try (CheckpointWriter w = CheckpointWriter.create(dir)) {
            w.layout(specs, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
            for (TensorSpec t : specs) {
                MemorySegment dst = w.target(t.name());
                boolean norm = t.name().endsWith("norm.weight");
                for (long i = 0; i < t.shape().elementCount(); i++) {
                    float u = SyntheticCheckpoints.unit(seed, t.name(), i);
                    Floats.write(dst, t.dtype(), i, norm ? 1f + 0.3f * u : 0.5f * u);
                }
            }
            w.writeConfig(c, s.dtype());
            w.commit();
        }
        return dir;
    }

    static List<TensorSpec> specs(Spec s) {
        DType t = s.dtype();
        int q = s.heads() * s.headDim();
        int kv = s.kvHeads() * s.headDim();
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec("model.embed_tokens.weight", t, Shape.of(s.vocab(), s.hidden())));
        for (int i = 0; i < s.layers(); i++) {
            String p = "model.layers." + i + ".";
            specs.add(new TensorSpec(p + "input_layernorm.weight", t, Shape.of(s.hidden())));
            specs.add(new TensorSpec(p + "self_attn.q_proj.weight", t, Shape.of(q, s.hidden())));
            specs.add(new TensorSpec(p + "self_attn.k_proj.weight", t, Shape.of(kv, s.hidden())));
            specs.add(new TensorSpec(p + "self_attn.v_proj.weight", t, Shape.of(kv, s.hidden())));
            if (s.qkvBias()) {
                specs.add(new TensorSpec(p + "self_attn.q_proj.bias", t, Shape.of(q)));
                specs.add(new TensorSpec(p + "self_attn.k_proj.bias", t, Shape.of(kv)));
                specs.add(new TensorSpec(p + "self_attn.v_proj.bias", t, Shape.of(kv)));
            }
            if (s.qkNorm()) {
                specs.add(new TensorSpec(p + "self_attn.q_norm.weight", t, Shape.of(s.headDim())));
                specs.add(new TensorSpec(p + "self_attn.k_norm.weight", t, Shape.of(s.headDim())));
            }
            specs.add(new TensorSpec(p + "self_attn.o_proj.weight", t, Shape.of(s.hidden(), q)));
            if (oBias(s)) {
                specs.add(new TensorSpec(p + "self_attn.o_proj.bias", t, Shape.of(s.hidden())));
            }
            specs.add(new TensorSpec(p + "post_attention_layernorm.weight", t, Shape.of(s.hidden())));
            specs.add(new TensorSpec(p + "mlp.gate_proj.weight", t, Shape.of(s.intermediate(), s.hidden())));
            specs.add(new TensorSpec(p + "mlp.up_proj.weight", t, Shape.of(s.intermediate(), s.hidden())));
            specs.add(new TensorSpec(p + "mlp.down_proj.weight", t, Shape.of(s.hidden(), s.intermediate())));
        }
        specs.add(new TensorSpec("model.norm.weight", t, Shape.of(s.hidden())));
        if (!s.tied()) {
            specs.add(new TensorSpec("lm_head.weight", t, Shape.of(s.vocab(), s.hidden())));
        }
        return specs;
    }

    private TinyModels() {
    }
}
