package dev.evomerge.eval.task;

import dev.evomerge.checkpoint.CharTokenizers;
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
 * A tiny random Llama (2 layers, hidden 16, GQA 4 over 2 heads, f32) over the 64-token character vocabulary
 * of {@link CharTokenizers}, with that tokenizer.json beside it: a model directory the task runner can read.
 */
final class TinyTaskModel {

    static Path write(Path dir, long seed) {
        return write(dir, seed, 256);
    }

    /** As above, with the context the config says the model was trained for. */
    static Path write(Path dir, long seed, int maxPositionEmbeddings) {
        int hidden = 16;
        int heads = 4;
        int kvHeads = 2;
        int headDim = 4;
        int inter = 24;
        int vocab = CharTokenizers.VOCAB;
        ObjectNode c = new ObjectMapper().createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", hidden);
        c.put("intermediate_size", inter);
        c.put("num_hidden_layers", 2);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim);
        c.put("vocab_size", vocab);
        c.put("max_position_embeddings", maxPositionEmbeddings);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", false);
        List<TensorSpec> specs = new ArrayList<>();
        DType t = DType.F32;
        specs.add(new TensorSpec("model.embed_tokens.weight", t, Shape.of(vocab, hidden)));
        for (int i = 0; i < 2; i++) {
            String p = "model.layers." + i + ".";
            specs.add(new TensorSpec(p + "input_layernorm.weight", t, Shape.of(hidden)));
            specs.add(new TensorSpec(p + "self_attn.q_proj.weight", t, Shape.of(heads * headDim, hidden)));
            specs.add(new TensorSpec(p + "self_attn.k_proj.weight", t, Shape.of(kvHeads * headDim, hidden)));
            specs.add(new TensorSpec(p + "self_attn.v_proj.weight", t, Shape.of(kvHeads * headDim, hidden)));
            specs.add(new TensorSpec(p + "self_attn.o_proj.weight", t, Shape.of(hidden, heads * headDim)));
            specs.add(new TensorSpec(p + "post_attention_layernorm.weight", t, Shape.of(hidden)));
            specs.add(new TensorSpec(p + "mlp.gate_proj.weight", t, Shape.of(inter, hidden)));
            specs.add(new TensorSpec(p + "mlp.up_proj.weight", t, Shape.of(inter, hidden)));
            specs.add(new TensorSpec(p + "mlp.down_proj.weight", t, Shape.of(hidden, inter)));
        }
        specs.add(new TensorSpec("model.norm.weight", t, Shape.of(hidden)));
        specs.add(new TensorSpec("lm_head.weight", t, Shape.of(vocab, hidden)));
        try (CheckpointWriter w = CheckpointWriter.create(dir)) {
            w.layout(specs, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
            for (TensorSpec s : specs) {
                MemorySegment dst = w.target(s.name());
                boolean norm = s.name().endsWith("norm.weight");
                for (long i = 0; i < s.shape().elementCount(); i++) {
                    float u = SyntheticCheckpoints.unit(seed, s.name(), i);
                    Floats.write(dst, t, i, norm ? 1f + 0.3f * u : 0.8f * u);
                }
            }
            w.writeConfig(c, t);
            w.commit();
        }
        return CharTokenizers.write(dir);
    }

    private TinyTaskModel() {
    }
}
