package dev.evomerge.eval.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Llama forward pass on NDArrays: embeddings, then for each step (hidden state scaled, pre-norm
 * grouped-query attention with rotary embeddings, pre-norm SwiGLU MLP, residuals), final RMS norm. All
 * arrays it creates belong to the caller's {@link ai.djl.ndarray.NDScope}. It computes in the weights' float
 * type; in float16 the norms, the attention softmax and the logits are float32, as in transformers.
 */
final class Decoder {

    /** Added to disallowed attention scores; exp of it underflows to exactly 0 in float32. */
    private static final float MASKED = -1e9f;

    private final ModelWeights first;
    private final List<DecoderLayerWeights> layers;
    private final double[] scales;
    private final Map<LlamaConfig, Rope> ropes = new HashMap<>();

    Decoder(ModelWeights first, List<DecoderLayerWeights> layers, double[] scales) {
        this.first = first;
        this.layers = List.copyOf(layers);
        this.scales = scales.clone();
        for (DecoderLayerWeights l : layers) {
            ropes.computeIfAbsent(l.config(), Rope::of);
        }
    }

    int steps() {
        return layers.size();
    }

    ModelWeights first() {
        return first;
    }

    NDManager manager() {
        return first.embed().getManager();
    }

    /**
     * Runs {@code tokens} (B rows of T, row b real for its first {@code lengths[b]}) after whatever
     * {@code cache} holds (may be null) and returns the final-normed hidden states [B, T, D].
     */
    NDArray hidden(int[][] tokens, int[] lengths, KvCache cache) {
        int b = tokens.length;
        int t = tokens[0].length;
        int past = cache == null ? 0 : cache.length();
        checkWindow(past + t);
        boolean[][] pastValid = cache == null ? new boolean[b][0] : cache.valid();
        boolean[][] newValid = new boolean[b][t];
        long[] ids = new long[b * t];
        int[][] positions = new int[b][t];
        for (int r = 0; r < b; r++) {
            int seen = 0;
            for (boolean v : pastValid[r]) {
                seen += v ? 1 : 0;
            }
            for (int i = 0; i < t; i++) {
                ids[r * t + i] = tokens[r][i];
                newValid[r][i] = i < lengths[r];
                positions[r][i] = seen + i;
            }
        }
        NDArray out = forward(ids, b, t, positions, mask(manager(), pastValid, newValid, past, t), cache);
        if (cache != null) {
            cache.appendValid(newValid);
        }
        return out;
    }

    /**
     * Runs one row of {@code tokens} at the given {@code positions}, token i attending to token j where
     * {@code sees[i][j]}, without a cache; returns the final-normed hidden states [1, T, D]. Continuations that
     * share a context run packed this way after it, each seeing the context and its own earlier tokens.
     */
    NDArray hidden(int[] tokens, int[] positions, boolean[][] sees) {
        int t = tokens.length;
        int furthest = 0;
        for (int p : positions) {
            furthest = Math.max(furthest, p + 1);
        }
        checkWindow(furthest);
        long[] ids = new long[t];
        float[] bias = new float[t * t];
        for (int i = 0; i < t; i++) {
            ids[i] = tokens[i];
            for (int j = 0; j < t; j++) {
                bias[i * t + j] = sees[i][j] ? 0f : MASKED;
            }
        }
        NDArray mask = HostArrays.floats(manager(), bias, new Shape(1, 1, 1, t, t));
        return forward(ids, 1, t, new int[][] {positions}, mask, null);
    }

    private void checkWindow(int length) {
        for (DecoderLayerWeights l : layers) {
            int window = l.config().slidingWindow();
            if (window > 0 && length > window) {
                throw new IllegalArgumentException("a context of " + length + " tokens exceeds sliding_window "
                        + window + ", which this decoder does not implement");
            }
        }
    }

    private NDArray forward(long[] ids, int b, int t, int[][] positions, NDArray mask, KvCache cache) {
        NDManager m = manager();
        NDArray x = Embedding.embedding(HostArrays.longs(m, ids, new Shape(b, t)), first.embed(), SparseFormat.DENSE)
                .singletonOrThrow();
        DataType type = first.embed().getDataType();
        Constants constants = new Constants(m);
        Map<Rope, NDArray[]> tables = new HashMap<>();
        for (int s = 0; s < layers.size(); s++) {
            DecoderLayerWeights w = layers.get(s);
            if (scales[s] != 1.0) {
                x = x.mul(constants.of(type, scales[s]));
            }
            Rope rope = ropes.get(w.config());
            NDArray[] cs = tables.computeIfAbsent(rope, r -> table(m, r, positions, type));
            x = layer(x, w, cs[0], cs[1], mask, cache, s, constants);
        }
        return rmsNorm(x, first.norm(), first.config().rmsNormEps(), constants);
    }

    /** Logits [.., V] of final-normed hidden states, in float32 whatever the compute precision. */
    NDArray logits(NDArray hidden) {
        return toFloat32(Linear.linear(hidden, first.lmHead()).singletonOrThrow());
    }

    private NDArray layer(NDArray x, DecoderLayerWeights w, NDArray cos, NDArray sinSigned, NDArray mask,
                          KvCache cache, int step, Constants constants) {
        LlamaConfig c = w.config();
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int hd = c.headDim();
        int h = c.numHeads();
        int kvh = c.numKvHeads();
        long g = c.groups();

        NDArray normed = rmsNorm(x, w.inputNorm(), c.rmsNormEps(), constants);
        NDArray qkv = w.qkvBias() == null ? Linear.linear(normed, w.qkv()).singletonOrThrow()
                : Linear.linear(normed, w.qkv(), w.qkvBias()).singletonOrThrow();
        // Queries and keys go through the rotary embedding together, as h + kvh heads: each op costs
        // microseconds of dispatch, which a decoding step of one token pays dozens of times per layer.
        NDList qkAndV = qkv.split(new long[] {(long) (h + kvh) * hd}, 2);
        NDArray qk = qkAndV.get(0).reshape(b, t, h + kvh, hd);
        if (w.qNorm() != null) {
            NDList sep = qk.split(new long[] {h}, 2);
            qk = rmsNorm(sep.get(0), w.qNorm(), c.rmsNormEps(), constants)
                    .concat(rmsNorm(sep.get(1), w.kNorm(), c.rmsNormEps(), constants), 2);
        }
        NDList rotated = rotate(qk.transpose(0, 2, 1, 3), cos, sinSigned).split(new long[] {h}, 1);
        NDArray q = rotated.get(0);
        NDArray k = rotated.get(1);
        NDArray v = qkAndV.get(1).reshape(b, t, kvh, hd).transpose(0, 2, 1, 3);
        if (cache != null) {
            if (cache.keys(step) != null) {
                k = cache.keys(step).concat(k, 2);
                v = cache.values(step).concat(v, 2);
            }
            cache.put(step, k, v);
        }
        long s = k.getShape().get(2);
        // Query heads h*g..h*g+g-1 share kv head h: fold the group into the query-length axis, no copies of k.
        DataType type = q.getDataType();
        NDArray scores = toFloat32(q.reshape(b, kvh, g * t, hd).matMul(k.transpose(0, 1, 3, 2))
                .mul(constants.of(type, 1.0 / Math.sqrt(hd))));
        NDArray probs = mask == null ? scores.softmax(-1)
                : scores.reshape(b, kvh, g, t, s).add(mask).softmax(-1).reshape(b, kvh, g * t, s);
        NDArray ctx = probs.toType(type, false).matMul(v)
                .reshape(b, h, t, hd).transpose(0, 2, 1, 3).reshape(b, t, (long) h * hd);
        NDArray attn = w.oBias() == null ? Linear.linear(ctx, w.o()).singletonOrThrow()
                : Linear.linear(ctx, w.o(), w.oBias()).singletonOrThrow();
        x = x.add(attn);

        NDArray gu = Linear.linear(rmsNorm(x, w.postNorm(), c.rmsNormEps(), constants), w.gateUp()).singletonOrThrow();
        NDList gateUp = gu.split(2, gu.getShape().dimension() - 1);
        NDArray gate = gateUp.get(0);
        NDArray up = gateUp.get(1);
        NDArray mlp = Linear.linear(gate.mul(Activation.sigmoid(gate)).mul(up), w.down()).singletonOrThrow();
        return x.add(mlp);
    }

    /**
     * x * rsqrt(mean(x^2) + eps) * weight over the last axis; the normalising in float32 and the product
     * with the weight in x's type, as transformers does.
     */
    private static NDArray rmsNorm(NDArray x, NDArray weight, double eps, Constants constants) {
        NDArray xf = toFloat32(x);
        NDArray var = xf.square().mean(new int[] {-1}, true);
        NDArray normed = xf.mul(var.add(constants.of(DataType.FLOAT32, eps))
                .pow(constants.of(DataType.FLOAT32, -0.5)));
        return normed.toType(x.getDataType(), false).mul(weight);
    }

    private static NDArray toFloat32(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
    }

    /**
     * q * cos + rotate_half(q) * sin, rotate_half(q) = [-q2, q1] over the two halves of the head, computed as
     * [q2, q1] * [-sin1, sin2]: the same products bit for bit (negation is exact), with two ops fewer.
     */
    private static NDArray rotate(NDArray x, NDArray cos, NDArray sinSigned) {
        NDList halves = x.split(2, 3);
        return x.mul(cos).add(halves.get(1).concat(halves.get(0), -1).mul(sinSigned));
    }

    /**
     * cos and sin [B, 1, T, headDim] for the given positions, broadcast over heads, computed in float32; sin
     * with its first half negated, as {@link #rotate} takes it.
     */
    private static NDArray[] table(NDManager m, Rope rope, int[][] positions, DataType type) {
        int b = positions.length;
        int t = positions[0].length;
        int hd = rope.headDim();
        float[] cos = new float[b * t * hd];
        float[] sin = new float[b * t * hd];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                int at = (r * t + i) * hd;
                rope.fill(positions[r][i], cos, sin, at);
                for (int j = at; j < at + hd / 2; j++) {
                    sin[j] = -sin[j];
                }
            }
        }
        Shape shape = new Shape(b, 1, t, hd);
        return new NDArray[] {HostArrays.floats(m, cos, shape).toType(type, false),
                HostArrays.floats(m, sin, shape).toType(type, false)};
    }

    /**
     * The 0-d constants one forward pass multiplies by, made once per pass rather than once per use (each is
     * an allocation PyTorch owns, see {@link HostArrays}) and freed with the pass's scope.
     */
    private static final class Constants {
        private record Key(DataType type, double value) {}

        private final NDManager manager;
        private final Map<Key, NDArray> made = new HashMap<>();

        Constants(NDManager manager) {
            this.manager = manager;
        }

        NDArray of(DataType type, double value) {
            return made.computeIfAbsent(new Key(type, value), k -> manager.full(new Shape(), (float) value, type));
        }
    }

    /**
     * Additive mask [B, 1, 1, T, S]: a query sees real past keys and real new keys up to itself. Null when
     * nothing is masked (a one-token decoding step without padding): one op fewer per layer per token.
     */
    private static NDArray mask(NDManager m, boolean[][] pastValid, boolean[][] newValid, int past, int t) {
        int b = newValid.length;
        int s = past + t;
        float[] bias = new float[b * t * s];
        boolean any = false;
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                int row = (r * t + i) * s;
                for (int j = 0; j < s; j++) {
                    boolean ok = j < past ? pastValid[r][j] : (j - past <= i && newValid[r][j - past]);
                    bias[row + j] = ok ? 0f : MASKED;
                    any |= !ok;
                }
            }
        }
        return any ? HostArrays.floats(m, bias, new Shape(b, 1, 1, t, s)) : null;
    }
}
