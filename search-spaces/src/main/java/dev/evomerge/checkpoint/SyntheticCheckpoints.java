package dev.evomerge.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds Llama-shaped Hugging Face model directories with pseudo-random weights, through
 * {@link CheckpointWriter}: tiny ones for tests, large ones for benchmarks. Every element is
 * a pure function of (seed, tensor name, index), see {@link #value}, so a test can recompute what any
 * tensor should hold without keeping a copy.
 *
 * {@snippet :
 * Path base = SyntheticCheckpoints.llama(tmp.resolve("base"), 2, 16, 32, 64, DType.BF16, 1);
 * Path ft = SyntheticCheckpoints.llama(tmp.resolve("ft"), 2, 16, 32, 64, DType.BF16, 2);
 * Path sharded = SyntheticCheckpoints.llama(tmp.resolve("s"), 2, 16, 32, 64, DType.F32, 3, 4096);
 * }
 */
public final class SyntheticCheckpoints {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SyntheticCheckpoints() {
    }

    /** A Llama-shaped model in one {@code model.safetensors}, with config.json and a tokenizer.json. */
    public static Path llama(Path dir, int layers, int hidden, int intermediate, int vocab, DType dtype, long seed) {
        return llama(dir, layers, hidden, intermediate, vocab, dtype, seed, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
    }

    /** As {@link #llama(Path, int, int, int, int, DType, long)}, sharded above {@code maxShardBytes}. */
    public static Path llama(Path dir, int layers, int hidden, int intermediate, int vocab, DType dtype, long seed,
                             long maxShardBytes) {
        write(dir, llamaConfig(layers, hidden, intermediate, vocab, dtype),
                llamaSpecs(layers, hidden, intermediate, vocab, dtype), seed, maxShardBytes);
        return dir;
    }

    /** The standard Llama tensor names and shapes, in the order {@code save_pretrained} would list them. */
    public static List<TensorSpec> llamaSpecs(int layers, int hidden, int intermediate, int vocab, DType dtype) {
        int heads = heads(hidden);
        int kv = heads; // no grouped-query attention: keeps shapes square
        int headDim = hidden / heads;
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec("model.embed_tokens.weight", dtype, Shape.of(vocab, hidden)));
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            specs.add(new TensorSpec(p + "self_attn.q_proj.weight", dtype, Shape.of(heads * headDim, hidden)));
            specs.add(new TensorSpec(p + "self_attn.k_proj.weight", dtype, Shape.of(kv * headDim, hidden)));
            specs.add(new TensorSpec(p + "self_attn.v_proj.weight", dtype, Shape.of(kv * headDim, hidden)));
            specs.add(new TensorSpec(p + "self_attn.o_proj.weight", dtype, Shape.of(hidden, heads * headDim)));
            specs.add(new TensorSpec(p + "mlp.gate_proj.weight", dtype, Shape.of(intermediate, hidden)));
            specs.add(new TensorSpec(p + "mlp.up_proj.weight", dtype, Shape.of(intermediate, hidden)));
            specs.add(new TensorSpec(p + "mlp.down_proj.weight", dtype, Shape.of(hidden, intermediate)));
            specs.add(new TensorSpec(p + "input_layernorm.weight", dtype, Shape.of(hidden)));
            specs.add(new TensorSpec(p + "post_attention_layernorm.weight", dtype, Shape.of(hidden)));
        }
        specs.add(new TensorSpec("model.norm.weight", dtype, Shape.of(hidden)));
        specs.add(new TensorSpec("lm_head.weight", dtype, Shape.of(vocab, hidden)));
        return specs;
    }

    /** A config.json a transformers LlamaForCausalLM would accept for these sizes. */
    public static ObjectNode llamaConfig(int layers, int hidden, int intermediate, int vocab, DType dtype) {
        int heads = heads(hidden);
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", hidden);
        c.put("intermediate_size", intermediate);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", heads);
        c.put("head_dim", hidden / heads);
        c.put("vocab_size", vocab);
        c.put("max_position_embeddings", 128);
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.put("hidden_act", "silu");
        c.put("tie_word_embeddings", false);
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        c.put("torch_dtype", dtype.torchName());
        return c;
    }

    /**
     * Writes any model directory: {@code config}, the tensors of {@code specs} filled with {@link #value},
     * and a {@code tokenizer.json}: {@link CharTokenizers}' when the vocabulary
     * holds at least its 64 ids, else a stub.
     */
    public static Path write(Path dir, ObjectNode config, List<TensorSpec> specs, long seed, long maxShardBytes) {
        try (CheckpointWriter w = CheckpointWriter.create(dir)) {
            w.layout(specs, maxShardBytes);
            for (TensorSpec s : specs) {
                MemorySegment dst = w.target(s.name());
                long n = s.shape().elementCount();
                for (long i = 0; i < n; i++) {
                    Floats.write(dst, s.dtype(), i, value(seed, s.name(), i));
                }
            }
            w.writeConfig(config, specs.isEmpty() ? DType.F32 : specs.getFirst().dtype());
            // A real character-level tokenizer where the vocabulary has room for it, so the model can be run.
            if (config.path("vocab_size").asInt() >= CharTokenizers.VOCAB) {
                CharTokenizers.write(w.workDir());
            } else {
                Files.writeString(w.workDir().resolve("tokenizer.json"),
                        "{\"version\": \"1.0\", \"model\": {\"type\": \"placeholder\"}}\n", StandardCharsets.UTF_8);
            }
            w.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * A "fine-tune" of {@code base}: same config, tensors, dtype and sharding, every element moved by
     * {@code scale * u} with {@code u} uniform in [-1, 1) drawn from {@code seed}. Task vectors are thus small
     * and independent across seeds, as merge methods expect. The tokenizer files are copied.
     *
     * {@snippet :
     * Path ft1 = SyntheticCheckpoints.fineTune(base, tmp.resolve("ft1"), 0.01f, 101);
     * }
     */
    public static Path fineTune(Path base, Path dir, float scale, long seed) {
        try (Checkpoint src = Checkpoint.open(base); CheckpointWriter w = CheckpointWriter.create(dir)) {
            List<TensorSpec> specs = src.tensorNames().stream().map(n -> TensorSpec.of(src.tensor(n))).toList();
            boolean sharded = Files.exists(base.resolve(Checkpoint.INDEX));
            // Reproduce the base's sharding: one file, or the largest tensor per shard at most.
            long maxShard = sharded ? specs.stream().mapToLong(TensorSpec::byteSize).max().orElse(1)
                    : Math.max(1, src.totalBytes());
            w.layout(specs, maxShard);
            for (TensorSpec s : specs) {
                TensorView in = src.tensor(s.name());
                MemorySegment dst = w.target(s.name());
                for (long i = 0; i < in.elementCount(); i++) {
                    float delta = scale * unit(seed, s.name(), i);
                    Floats.write(dst, s.dtype(), i, in.getFloat(i) + delta);
                }
            }
            w.writeConfig(src.config(), specs.isEmpty() ? DType.F32 : specs.getFirst().dtype());
            w.copyTokenizer(base);
            w.commit();
        }
        return dir;
    }

    /**
     * Element {@code index} of tensor {@code name} in a checkpoint made with {@code seed}, before rounding
     * to the stored dtype. Norm weights lie in [0.9, 1.1), like trained ones; other weights in [-0.1, 0.1).
     */
    public static float value(long seed, String name, long index) {
        float u = unit(seed, name, index);
        return name.endsWith("norm.weight") ? 1f + 0.1f * u : 0.1f * u;
    }

    /** Uniform in [-1, 1), a pure function of its arguments. */
    public static float unit(long seed, String name, long index) {
        long h = mix(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        h = mix(h + index);
        return (h >>> 40) * 0x1.0p-24f * 2f - 1f;
    }

    /** {@link #value} as it reads back after storing in {@code dtype}. */
    public static float stored(long seed, String name, long index, DType dtype) {
        float v = value(seed, name, index);
        return switch (dtype) {
            case F32 -> v;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(v));
            case BF16 -> Floats.bf16ToFloat(Floats.floatToBf16(v));
        };
    }

    private static int heads(int hidden) {
        for (int h : new int[] {4, 2}) {
            if (hidden % h == 0) {
                return h;
            }
        }
        return 1;
    }

    // SplitMix64 finaliser: cheap, stateless, well mixed.
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
