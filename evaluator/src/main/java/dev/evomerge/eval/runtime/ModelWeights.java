package dev.evomerge.eval.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.evomerge.checkpoint.Checkpoint;
import dev.evomerge.checkpoint.TensorView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama-family model's weights on a DJL device, in float32 or float16 ({@link Precision}), in their own
 * {@link NDManager} scope: closing this frees every array. Stored bf16 and f16 are widened to float32 on the
 * Java side (DJL's PyTorch engine cannot hold bf16), then cast to the compute precision. Every tensor name and
 * shape is checked against the config before any byte is copied.
 *
 * {@snippet :
 * try (ModelWeights w = ModelWeights.load(Path.of("models/llama"), ComputeDevice.CPU)) {
 *     double[] lp = LanguageModel.of(w).logProbs(new int[] {1, 5, 9});
 * }
 * }
 */
public final class ModelWeights implements AutoCloseable {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final LlamaConfig config;
    private final NDManager manager;
    private final NDArray embed;
    private final List<DecoderLayerWeights> layers;
    private final NDArray norm;
    private final NDArray lmHead;

    private ModelWeights(LlamaConfig config, NDManager manager, NDArray embed, List<DecoderLayerWeights> layers,
                         NDArray norm, NDArray lmHead) {
        this.config = config;
        this.manager = manager;
        this.embed = embed;
        this.layers = List.copyOf(layers);
        this.norm = norm;
        this.lmHead = lmHead;
    }

    /**
     * Wraps arrays that already live in {@code manager} (a model being trained): closing the result closes
     * the manager.
     */
    static ModelWeights of(LlamaConfig config, NDManager manager, NDArray embed, List<DecoderLayerWeights> layers,
                           NDArray norm, NDArray lmHead) {
        return new ModelWeights(config, manager, embed, layers, norm, lmHead);
    }

    /** Reads config.json (failing fast if unsupported), then loads the checkpoint in {@code dir}. */
    public static ModelWeights load(Path dir, ComputeDevice device) {
        LlamaConfig config = LlamaConfig.read(dir);
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            return load(config, TensorSource.of(ckpt), device);
        }
    }

    /** Loads every weight of {@code config}'s model from {@code source} onto {@code device}, in its precision. */
    public static ModelWeights load(LlamaConfig config, TensorSource source, ComputeDevice device) {
        checkTensors(config, source);
        NDManager manager = NDManager.newBaseManager(device.djlDevice());
        try (Arena scratch = Arena.ofConfined()) {
            Loader l = new Loader(manager, source, scratch, device.precision().dataType());
            long d = config.hiddenSize();
            long v = config.vocabSize();
            NDArray embed = l.load(shape(v, d), "model.embed_tokens.weight");
            List<DecoderLayerWeights> layers = new ArrayList<>();
            int q = config.numHeads() * config.headDim();
            int kv = config.numKvHeads() * config.headDim();
            long inter = config.intermediateSize();
            for (int i = 0; i < config.numLayers(); i++) {
                String p = "model.layers." + i + ".";
                String a = p + "self_attn.";
                layers.add(new DecoderLayerWeights(config, i,
                        l.load(shape(d), p + "input_layernorm.weight"),
                        l.load(shape(q + 2L * kv, d), a + "q_proj.weight", a + "k_proj.weight", a + "v_proj.weight"),
                        config.qkvBias() ? l.load(shape(q + 2L * kv), a + "q_proj.bias", a + "k_proj.bias",
                                a + "v_proj.bias") : null,
                        l.load(shape(d, q), a + "o_proj.weight"),
                        config.oBias() ? l.load(shape(d), a + "o_proj.bias") : null,
                        config.qkNorm() ? l.load(shape(config.headDim()), a + "q_norm.weight") : null,
                        config.qkNorm() ? l.load(shape(config.headDim()), a + "k_norm.weight") : null,
                        l.load(shape(d), p + "post_attention_layernorm.weight"),
                        l.load(shape(2 * inter, d), p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"),
                        l.load(shape(d, inter), p + "mlp.down_proj.weight")));
            }
            NDArray norm = l.load(shape(d), "model.norm.weight");
            NDArray head = headIsTied(config, source) ? embed : l.load(shape(v, d), "lm_head.weight");
            return new ModelWeights(config, manager, embed, layers, norm, head);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static boolean headIsTied(LlamaConfig config, TensorSource source) {
        // transformers ties when the config says so; a checkpoint without lm_head also relies on the tie.
        return config.tieWordEmbeddings() || !source.has("lm_head.weight");
    }

    /** Every tensor present with the shape the config implies: a bad checkpoint fails before loading. */
    private static void checkTensors(LlamaConfig c, TensorSource s) {
        long d = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long inter = c.intermediateSize();
        expect(s, "model.embed_tokens.weight", c.vocabSize(), d);
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            String a = p + "self_attn.";
            expect(s, p + "input_layernorm.weight", d);
            expect(s, a + "q_proj.weight", q, d);
            expect(s, a + "k_proj.weight", kv, d);
            expect(s, a + "v_proj.weight", kv, d);
            expect(s, a + "o_proj.weight", d, q);
            if (c.qkvBias()) {
                expect(s, a + "q_proj.bias", q);
                expect(s, a + "k_proj.bias", kv);
                expect(s, a + "v_proj.bias", kv);
            }
            if (c.oBias()) {
                expect(s, a + "o_proj.bias", d);
            }
            if (c.qkNorm()) {
                expect(s, a + "q_norm.weight", c.headDim());
                expect(s, a + "k_norm.weight", c.headDim());
            }
            expect(s, p + "post_attention_layernorm.weight", d);
            expect(s, p + "mlp.gate_proj.weight", inter, d);
            expect(s, p + "mlp.up_proj.weight", inter, d);
            expect(s, p + "mlp.down_proj.weight", d, inter);
        }
        expect(s, "model.norm.weight", d);
        if (!headIsTied(c, s)) {
            expect(s, "lm_head.weight", c.vocabSize(), d);
        }
    }

    private static void expect(TensorSource s, String name, long... dims) {
        if (!s.has(name)) {
            throw new IllegalArgumentException(s.location() + ": tensor '" + name + "' is missing");
        }
        dev.evomerge.checkpoint.Shape actual = s.tensor(name).shape();
        if (!actual.equals(dev.evomerge.checkpoint.Shape.of(dims))) {
            throw new IllegalArgumentException(s.location() + ": tensor '" + name + "' has shape " + actual
                    + ", config.json implies " + dev.evomerge.checkpoint.Shape.of(dims));
        }
    }

    private static Shape shape(long... dims) {
        return new Shape(dims);
    }

    /** Copies tensors into device arrays of one float type through one reusable off-heap staging buffer. */
    private static final class Loader {
        private final NDManager manager;
        private final TensorSource source;
        private final Arena arena;
        private final DataType dataType;
        private MemorySegment staging = MemorySegment.NULL;

        Loader(NDManager manager, TensorSource source, Arena arena, DataType dataType) {
            this.manager = manager;
            this.source = source;
            this.arena = arena;
            this.dataType = dataType;
        }

        /** The named tensors widened and stacked along their first axis into one array of {@code shape}. */
        NDArray load(Shape shape, String... names) {
            long bytes = shape.size() * Float.BYTES;
            if (bytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(source.location() + ": tensor '" + names[0]
                        + "' is over 2 GiB in float32, more than one DJL buffer holds");
            }
            if (staging.byteSize() < bytes) {
                staging = arena.allocate(Math.max(bytes, 2 * staging.byteSize()), 64);
            }
            long at = 0;
            for (String name : names) {
                TensorView t = source.tensor(name);
                widen(t, staging, at);
                at += t.elementCount();
            }
            if (at != shape.size()) {
                throw new IllegalStateException("stacked " + at + " elements into " + shape);
            }
            // The staging array aliases our buffer: copy it onto the device and drop the alias at once.
            try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
                NDArray alias = tmp.create(staging.asSlice(0, bytes).asByteBuffer().order(ByteOrder.nativeOrder()),
                        shape, DataType.FLOAT32);
                // Cast on the host: half the bytes to move when the device computes in float16.
                NDArray typed = dataType == DataType.FLOAT32 ? alias : alias.toType(dataType, true);
                // Only the alias must be cloned on the same device (toDevice(same device, copy=true) returns the
                // array itself); a cast is already an array of its own.
                boolean sameDevice = manager.getDevice().equals(typed.getDevice());
                NDArray out = !sameDevice ? typed.toDevice(manager.getDevice(), true)
                        : typed == alias ? alias.duplicate() : typed;
                out.attach(manager);
                return out;
            }
        }

        private static void widen(TensorView t, MemorySegment dst, long at) {
            MemorySegment src = t.data();
            long n = t.elementCount();
            switch (t.dtype()) {
                case F32 -> MemorySegment.copy(src, 0, dst, at * Float.BYTES, n * Float.BYTES);
                case F16 -> {
                    for (long i = 0; i < n; i++) {
                        dst.setAtIndex(F32, at + i, Float.float16ToFloat(src.getAtIndex(I16, i)));
                    }
                }
                case BF16 -> {
                    for (long i = 0; i < n; i++) {
                        dst.setAtIndex(F32, at + i, Float.intBitsToFloat((src.getAtIndex(I16, i) & 0xffff) << 16));
                    }
                }
            }
        }
    }

    public LlamaConfig config() {
        return config;
    }

    public int numLayers() {
        return layers.size();
    }

    public DecoderLayerWeights layer(int i) {
        return layers.get(i);
    }

    public List<DecoderLayerWeights> layers() {
        return layers;
    }

    /** Token embeddings [vocab, hidden]; owned by this model, do not close. */
    public NDArray embed() {
        return embed;
    }

    /** Final RMS norm weight [hidden]; owned by this model. */
    public NDArray norm() {
        return norm;
    }

    /** Output projection [vocab, hidden], the embedding array itself when tied; owned by this model. */
    public NDArray lmHead() {
        return lmHead;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** Arrays currently attached to this model's scope; stays constant across scoring calls. */
    public int liveArrays() {
        return manager.getManagedArrays().size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
