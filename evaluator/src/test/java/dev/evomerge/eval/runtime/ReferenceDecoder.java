package dev.evomerge.eval.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evomerge.checkpoint.Checkpoint;
import dev.evomerge.checkpoint.TensorView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately plain forward pass in double precision, one token and one head at a time, written from the
 * transformers modelling code's equations and sharing nothing with the DJL decoder. It reads config.json
 * itself. It is the yardstick the DJL decoder is checked against.
 */
final class ReferenceDecoder {

    /** One model's weights as double arrays (matrices row-major [out][in]). */
    static final class Weights {
        int hidden, heads, kvHeads, headDim, vocab;
        double eps;
        double[] invFreq;
        double[][] embed, lmHead;
        double[] norm;
        final List<Layer> layers = new ArrayList<>();
    }

    static final class Layer {
        double[] inNorm, postNorm, qNorm, kNorm, bq, bk, bv, bo;
        double[][] wq, wk, wv, wo, wg, wu, wd;
        Weights owner;
    }

    /** One step of a route: a layer and the scale applied to the hidden state entering it. */
    record Step(Layer layer, double scale) {
    }

    static Weights read(Path dir) {
        try (Checkpoint ck = Checkpoint.open(dir)) {
            JsonNode c = ck.config();
            Weights w = new Weights();
            w.hidden = c.get("hidden_size").asInt();
            w.heads = c.get("num_attention_heads").asInt();
            w.kvHeads = c.get("num_key_value_heads").asInt();
            w.headDim = c.has("head_dim") ? c.get("head_dim").asInt() : w.hidden / w.heads;
            w.vocab = c.get("vocab_size").asInt();
            w.eps = c.get("rms_norm_eps").asDouble();
            w.invFreq = invFreq(c, w.headDim);
            w.embed = matrix(ck, "model.embed_tokens.weight");
            w.norm = vector(ck, "model.norm.weight");
            w.lmHead = ck.has("lm_head.weight") ? matrix(ck, "lm_head.weight") : w.embed;
            for (int i = 0; i < c.get("num_hidden_layers").asInt(); i++) {
                String p = "model.layers." + i + ".";
                Layer l = new Layer();
                l.owner = w;
                l.inNorm = vector(ck, p + "input_layernorm.weight");
                l.postNorm = vector(ck, p + "post_attention_layernorm.weight");
                l.wq = matrix(ck, p + "self_attn.q_proj.weight");
                l.wk = matrix(ck, p + "self_attn.k_proj.weight");
                l.wv = matrix(ck, p + "self_attn.v_proj.weight");
                l.wo = matrix(ck, p + "self_attn.o_proj.weight");
                l.bq = ck.has(p + "self_attn.q_proj.bias") ? vector(ck, p + "self_attn.q_proj.bias") : null;
                l.bk = ck.has(p + "self_attn.k_proj.bias") ? vector(ck, p + "self_attn.k_proj.bias") : null;
                l.bv = ck.has(p + "self_attn.v_proj.bias") ? vector(ck, p + "self_attn.v_proj.bias") : null;
                l.bo = ck.has(p + "self_attn.o_proj.bias") ? vector(ck, p + "self_attn.o_proj.bias") : null;
                l.qNorm = ck.has(p + "self_attn.q_norm.weight") ? vector(ck, p + "self_attn.q_norm.weight") : null;
                l.kNorm = ck.has(p + "self_attn.k_norm.weight") ? vector(ck, p + "self_attn.k_norm.weight") : null;
                l.wg = matrix(ck, p + "mlp.gate_proj.weight");
                l.wu = matrix(ck, p + "mlp.up_proj.weight");
                l.wd = matrix(ck, p + "mlp.down_proj.weight");
                w.layers.add(l);
            }
            return w;
        }
    }

    /** Llama 3 scaling written out branch by branch from the published formula. */
    private static double[] invFreq(JsonNode c, int headDim) {
        double theta = c.get("rope_theta").asDouble();
        double[] f = new double[headDim / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = Math.pow(theta, -(2.0 * i) / headDim);
        }
        JsonNode s = c.get("rope_scaling");
        if (s != null && !s.isNull()) {
            double factor = s.get("factor").asDouble();
            double lo = s.get("low_freq_factor").asDouble();
            double hi = s.get("high_freq_factor").asDouble();
            double old = s.get("original_max_position_embeddings").asDouble();
            for (int i = 0; i < f.length; i++) {
                double wavelen = 2 * Math.PI / f[i];
                if (wavelen < old / hi) {
                    continue; // high frequency: untouched
                }
                if (wavelen > old / lo) {
                    f[i] = f[i] / factor;
                } else {
                    double smooth = (old / wavelen - lo) / (hi - lo);
                    f[i] = (1 - smooth) * f[i] / factor + smooth * f[i];
                }
            }
        }
        return f;
    }

    private static double[] vector(Checkpoint ck, String name) {
        TensorView v = ck.tensor(name);
        double[] d = new double[(int) v.elementCount()];
        for (int i = 0; i < d.length; i++) {
            d[i] = v.getFloat(i);
        }
        return d;
    }

    private static double[][] matrix(Checkpoint ck, String name) {
        TensorView v = ck.tensor(name);
        int rows = (int) v.shape().dim(0);
        int cols = (int) v.shape().dim(1);
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                m[r][k] = v.getFloat((long) r * cols + k);
            }
        }
        return m;
    }

    static List<Step> allLayers(Weights w) {
        return w.layers.stream().map(l -> new Step(l, 1.0)).toList();
    }

    /** logits[t][v] for every position of {@code tokens}; embeddings and head from {@code outer}. */
    static double[][] logits(Weights outer, List<Step> steps, int[] tokens) {
        int n = tokens.length;
        double[][] x = new double[n][];
        for (int t = 0; t < n; t++) {
            x[t] = outer.embed[tokens[t]].clone();
        }
        for (Step s : steps) {
            for (int t = 0; t < n; t++) {
                for (int d = 0; d < x[t].length; d++) {
                    x[t][d] *= s.scale();
                }
            }
            x = layer(s.layer(), x);
        }
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            out[t] = matVec(outer.lmHead, rmsNorm(x[t], outer.norm, outer.eps), null);
        }
        return out;
    }

    /** log p(tokens[t+1] | tokens[..t]) for each t. */
    static double[] logProbs(Weights outer, List<Step> steps, int[] tokens) {
        double[][] logits = logits(outer, steps, tokens);
        double[] lp = new double[tokens.length - 1];
        for (int t = 0; t < lp.length; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits[t]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : logits[t]) {
                sum += Math.exp(v - max);
            }
            lp[t] = logits[t][tokens[t + 1]] - max - Math.log(sum);
        }
        return lp;
    }

    private static double[][] layer(Layer l, double[][] x) {
        Weights w = l.owner;
        int n = x.length;
        int hd = w.headDim;
        int group = w.heads / w.kvHeads;
        double[][] q = new double[n][], k = new double[n][], v = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] h = rmsNorm(x[t], l.inNorm, w.eps);
            q[t] = matVec(l.wq, h, l.bq);
            k[t] = matVec(l.wk, h, l.bk);
            v[t] = matVec(l.wv, h, l.bv);
            for (int head = 0; head < w.heads; head++) {
                if (l.qNorm != null) {
                    normHead(q[t], head * hd, hd, l.qNorm, w.eps);
                }
                rotateHead(q[t], head * hd, hd, t, w.invFreq);
            }
            for (int head = 0; head < w.kvHeads; head++) {
                if (l.kNorm != null) {
                    normHead(k[t], head * hd, hd, l.kNorm, w.eps);
                }
                rotateHead(k[t], head * hd, hd, t, w.invFreq);
            }
        }
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] ctx = new double[w.heads * hd];
            for (int head = 0; head < w.heads; head++) {
                int kvHead = head / group;
                double[] score = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= t; j++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) {
                        dot += q[t][head * hd + d] * k[j][kvHead * hd + d];
                    }
                    score[j] = dot / Math.sqrt(hd);
                    max = Math.max(max, score[j]);
                }
                double sum = 0;
                for (int j = 0; j <= t; j++) {
                    score[j] = Math.exp(score[j] - max);
                    sum += score[j];
                }
                for (int j = 0; j <= t; j++) {
                    for (int d = 0; d < hd; d++) {
                        ctx[head * hd + d] += score[j] / sum * v[j][kvHead * hd + d];
                    }
                }
            }
            double[] attn = matVec(l.wo, ctx, l.bo);
            double[] y = new double[x[t].length];
            for (int d = 0; d < y.length; d++) {
                y[d] = x[t][d] + attn[d];
            }
            double[] h = rmsNorm(y, l.postNorm, w.eps);
            double[] g = matVec(l.wg, h, null);
            double[] u = matVec(l.wu, h, null);
            double[] a = new double[g.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
            }
            double[] m = matVec(l.wd, a, null);
            for (int d = 0; d < y.length; d++) {
                y[d] += m[d];
            }
            out[t] = y;
        }
        return out;
    }

    /** Pairs (i, i + hd/2) rotate by position * invFreq[i]. */
    private static void rotateHead(double[] x, int off, int hd, int pos, double[] invFreq) {
        int half = hd / 2;
        for (int i = 0; i < half; i++) {
            double c = Math.cos(pos * invFreq[i]);
            double s = Math.sin(pos * invFreq[i]);
            double a = x[off + i];
            double b = x[off + half + i];
            x[off + i] = a * c - b * s;
            x[off + half + i] = b * c + a * s;
        }
    }

    private static void normHead(double[] x, int off, int hd, double[] weight, double eps) {
        double ss = 0;
        for (int i = 0; i < hd; i++) {
            ss += x[off + i] * x[off + i];
        }
        double r = 1 / Math.sqrt(ss / hd + eps);
        for (int i = 0; i < hd; i++) {
            x[off + i] = x[off + i] * r * weight[i];
        }
    }

    static double[] rmsNorm(double[] x, double[] weight, double eps) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double r = 1 / Math.sqrt(ss / x.length + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * r * weight[i];
        }
        return y;
    }

    private static double[] matVec(double[][] m, double[] x, double[] bias) {
        double[] y = new double[m.length];
        for (int r = 0; r < m.length; r++) {
            double s = bias == null ? 0 : bias[r];
            for (int k = 0; k < x.length; k++) {
                s += m[r][k] * x[k];
            }
            y[r] = s;
        }
        return y;
    }

    private ReferenceDecoder() {
    }
}
