package dev.evomerge.eval.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.evomerge.checkpoint.CheckpointWriter;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorSpec;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A Llama-family model whose weights are trainable: the same forward pass as {@link LanguageModel}, run
 * with gradients on, and a writer that saves the result as a Hugging Face directory. The project trains
 * its own demo models with it, so nothing has to be downloaded.
 *
 * {@snippet :
 * try (TrainableLlama m = TrainableLlama.init(config, configJson, 7, Device.cpu())) {
 *     NDArray loss = m.loss(tokens, weights);   // inside a GradientCollector
 *     m.save(dir, configJson, d -> CharTokenizers.write(d, vocabulary));
 * }
 * }
 */
public final class TrainableLlama implements AutoCloseable {

    /** Standard deviation of the initial weights, as transformers initialises Llama. */
    private static final double INIT_STD = 0.02;

    private final ModelWeights weights;
    private final Decoder decoder;
    private final Map<String, NDArray> parameters;

    private TrainableLlama(ModelWeights weights, Map<String, NDArray> parameters) {
        this.weights = weights;
        this.parameters = parameters;
        double[] ones = new double[weights.numLayers()];
        java.util.Arrays.fill(ones, 1.0);
        this.decoder = new Decoder(weights, weights.layers(), ones);
    }

    /** Fresh weights: matrices normal(0, 0.02) from {@code seed}, norms 1; tied embeddings if the config says so. */
    public static TrainableLlama init(LlamaConfig config, long seed, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        Map<String, NDArray> p = new LinkedHashMap<>();
        Random rng = new Random(seed);
        long d = config.hiddenSize();
        long q = (long) config.numHeads() * config.headDim();
        long kv = (long) config.numKvHeads() * config.headDim();
        long inter = config.intermediateSize();
        p.put("embed", normal(manager, rng, config.vocabSize(), d));
        for (int i = 0; i < config.numLayers(); i++) {
            p.put(i + ".input_norm", manager.ones(new Shape(d)));
            p.put(i + ".qkv", normal(manager, rng, q + 2 * kv, d));
            p.put(i + ".o", normal(manager, rng, d, q));
            p.put(i + ".post_norm", manager.ones(new Shape(d)));
            p.put(i + ".gate_up", normal(manager, rng, 2 * inter, d));
            p.put(i + ".down", normal(manager, rng, d, inter));
        }
        p.put("norm", manager.ones(new Shape(d)));
        if (!config.tieWordEmbeddings()) {
            p.put("lm_head", normal(manager, rng, config.vocabSize(), d));
        }
        return assemble(config, manager, p);
    }

    /** The weights of the model in {@code dir}, made trainable (a fine-tune starts here). */
    public static TrainableLlama load(Path dir, Device device) {
        try (ModelWeights source = ModelWeights.load(dir, ComputeDevice.CPU)) {
            LlamaConfig c = source.config();
            if (c.qkvBias() || c.oBias() || c.qkNorm()) {
                throw new IllegalArgumentException(dir + ": training covers plain Llama layers only");
            }
            NDManager manager = NDManager.newBaseManager(device);
            Map<String, NDArray> p = new LinkedHashMap<>();
            p.put("embed", copy(source.embed(), manager));
            for (DecoderLayerWeights l : source.layers()) {
                p.put(l.index() + ".input_norm", copy(l.inputNorm(), manager));
                p.put(l.index() + ".qkv", copy(l.qkv(), manager));
                p.put(l.index() + ".o", copy(l.o(), manager));
                p.put(l.index() + ".post_norm", copy(l.postNorm(), manager));
                p.put(l.index() + ".gate_up", copy(l.gateUp(), manager));
                p.put(l.index() + ".down", copy(l.down(), manager));
            }
            p.put("norm", copy(source.norm(), manager));
            if (!c.tieWordEmbeddings()) {
                p.put("lm_head", copy(source.lmHead(), manager));
            }
            return assemble(c, manager, p);
        }
    }

    private static TrainableLlama assemble(LlamaConfig config, NDManager manager, Map<String, NDArray> p) {
        for (NDArray a : p.values()) {
            a.setRequiresGradient(true);
        }
        List<DecoderLayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            layers.add(new DecoderLayerWeights(config, i, p.get(i + ".input_norm"), p.get(i + ".qkv"), null,
                    p.get(i + ".o"), null, null, null, p.get(i + ".post_norm"), p.get(i + ".gate_up"),
                    p.get(i + ".down")));
        }
        NDArray head = config.tieWordEmbeddings() ? p.get("embed") : p.get("lm_head");
        ModelWeights w = ModelWeights.of(config, manager, p.get("embed"), layers, p.get("norm"), head);
        return new TrainableLlama(w, p);
    }

    private static NDArray normal(NDManager m, Random rng, long rows, long cols) {
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * INIT_STD);
        }
        return HostArrays.floats(m, v, new Shape(rows, cols));
    }

    private static NDArray copy(NDArray a, NDManager m) {
        return HostArrays.floats(m, a.toFloatArray(), a.getShape());
    }

    /** The trainable arrays by name (fused q/k/v and gate/up, as the forward pass holds them). */
    public Map<String, NDArray> parameters() {
        return java.util.Collections.unmodifiableMap(parameters);
    }

    public LlamaConfig config() {
        return weights.config();
    }

    /**
     * Mean cross-entropy of predicting {@code tokens[b][j]} from the tokens before it, weighted by
     * {@code weights[b][j]} (0 skips a position: the prompt, the padding). All rows have the same length;
     * padding sits at the end, where causal attention keeps it from affecting the real positions.
     */
    public NDArray loss(int[][] tokens, float[][] weights) {
        int b = tokens.length;
        int t = tokens[0].length;
        int[] lengths = new int[b];
        java.util.Arrays.fill(lengths, t);
        float[] w = new float[b * (t - 1)];
        long[] targets = new long[b * (t - 1)];
        float total = 0;
        for (int r = 0; r < b; r++) {
            for (int j = 1; j < t; j++) {
                w[r * (t - 1) + j - 1] = weights[r][j];
                targets[r * (t - 1) + j - 1] = tokens[r][j];
                total += weights[r][j];
            }
        }
        if (total <= 0) {
            throw new IllegalArgumentException("every position has weight 0");
        }
        NDManager m = decoder.manager();
        NDArray hidden = decoder.hidden(tokens, lengths, null).get(new ai.djl.ndarray.index.NDIndex(":, :{}", t - 1));
        NDArray logp = decoder.logits(hidden).logSoftmax(-1).reshape(b * (t - 1L), -1);
        NDArray picked = logp.gather(HostArrays.longs(m, targets, new Shape(b * (t - 1L), 1)), 1).reshape(-1);
        return picked.mul(HostArrays.floats(m, w, new Shape(w.length))).sum().neg().div(HostArrays.scalar(picked, total));
    }

    /** The model for scoring and generation, sharing these weights (use it with gradients off). */
    public LanguageModel languageModel() {
        return LanguageModel.of(weights);
    }

    /**
     * Writes a Hugging Face directory: {@code config} as config.json, the weights as float32 safetensors
     * under the standard names, and whatever {@code extraFiles} puts beside them (the tokenizer). Written
     * into a temporary directory and renamed, like every model this project writes.
     */
    public void save(Path dir, JsonNode config, Consumer<Path> extraFiles) {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        LlamaConfig c = weights.config();
        long d = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long inter = c.intermediateSize();
        put(tensors, shapes, "model.embed_tokens.weight", parameters.get("embed"));
        for (int i = 0; i < c.numLayers(); i++) {
            String pre = "model.layers." + i + ".";
            float[] qkv = parameters.get(i + ".qkv").toFloatArray();
            split(tensors, shapes, qkv, d, new String[] {pre + "self_attn.q_proj.weight", pre + "self_attn.k_proj.weight",
                    pre + "self_attn.v_proj.weight"}, new long[] {q, kv, kv});
            put(tensors, shapes, pre + "self_attn.o_proj.weight", parameters.get(i + ".o"));
            float[] gu = parameters.get(i + ".gate_up").toFloatArray();
            split(tensors, shapes, gu, d, new String[] {pre + "mlp.gate_proj.weight", pre + "mlp.up_proj.weight"},
                    new long[] {inter, inter});
            put(tensors, shapes, pre + "mlp.down_proj.weight", parameters.get(i + ".down"));
            put(tensors, shapes, pre + "input_layernorm.weight", parameters.get(i + ".input_norm"));
            put(tensors, shapes, pre + "post_attention_layernorm.weight", parameters.get(i + ".post_norm"));
        }
        put(tensors, shapes, "model.norm.weight", parameters.get("norm"));
        if (!c.tieWordEmbeddings()) {
            put(tensors, shapes, "lm_head.weight", parameters.get("lm_head"));
        }
        List<TensorSpec> specs = new ArrayList<>();
        shapes.forEach((name, dims) -> specs.add(new TensorSpec(name, DType.F32, dev.evomerge.checkpoint.Shape.of(dims))));
        try (CheckpointWriter w = CheckpointWriter.create(dir, true)) {
            w.layout(specs, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
            tensors.forEach((name, values) -> {
                MemorySegment dst = w.target(name);
                for (int i = 0; i < values.length; i++) {
                    Floats.write(dst, DType.F32, i, values[i]);
                }
            });
            w.writeConfig(config, DType.F32);
            extraFiles.accept(w.workDir());
            w.commit();
        }
    }

    private static void put(Map<String, float[]> tensors, Map<String, long[]> shapes, String name, NDArray a) {
        tensors.put(name, a.toFloatArray());
        shapes.put(name, a.getShape().getShape());
    }

    private static void split(Map<String, float[]> tensors, Map<String, long[]> shapes, float[] stacked, long cols,
                              String[] names, long[] rows) {
        int at = 0;
        for (int k = 0; k < names.length; k++) {
            int n = Math.toIntExact(rows[k] * cols);
            tensors.put(names[k], java.util.Arrays.copyOfRange(stacked, at, at + n));
            shapes.put(names[k], new long[] {rows[k], cols});
            at += n;
        }
    }

    @Override
    public void close() {
        weights.close();
    }
}
