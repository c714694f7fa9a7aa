package dev.evomerge.eval.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.checkpoint.TensorSpec;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.runtime.DecoderLayerWeights;
import dev.evomerge.eval.runtime.LanguageModel;
import dev.evomerge.eval.runtime.LlamaConfig;
import dev.evomerge.eval.runtime.ModelWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Evaluator throughput on a generated ~100M-parameter Llama-shaped model (12 layers, hidden 768, 12 query
 * heads over 4 kv heads, intermediate 2048, vocabulary 16384, bf16 on disk): log-likelihood scoring tokens/s
 * next to the same model's matrix products alone (the floor), and greedy generation with and without the
 * KV cache, for one prompt and for a batch of prompts decoded together (as generate tasks run).
 *
 * {@snippet :
 * // scripts/bench-eval [--dir DIR] [--batch 4] [--seq 256] [--prompt 32] [--new 64] [--gen-batch 8] [--reps 3] [--device cpu] [--precision float32] [--threads N]
 * }
 */
public final class EvalBench {

    private EvalBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "evomerge-bench-eval", "llama-100m");
        int batch = 4;
        int seq = 256;
        int prompt = 32;
        int newTokens = 64;
        int genBatch = 8;
        int reps = 3;
        String device = "cpu";
        String precision = "float32";
        int mcDocs = 8;
        int mcContext = 192;
        boolean mcOnly = false;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--dir" -> dir = Path.of(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--seq" -> seq = Integer.parseInt(v);
                case "--prompt" -> prompt = Integer.parseInt(v);
                case "--new" -> newTokens = Integer.parseInt(v);
                case "--gen-batch" -> genBatch = Integer.parseInt(v);
                case "--reps" -> reps = Integer.parseInt(v);
                case "--device" -> device = v;
                case "--precision" -> precision = v;
                case "--mc-docs" -> mcDocs = Integer.parseInt(v);
                case "--mc-context" -> mcContext = Integer.parseInt(v);
                case "--mc-only" -> mcOnly = Boolean.parseBoolean(v);
                // Read by DJL when the engine starts, which is below.
                case "--threads" -> System.setProperty("ai.djl.pytorch.num_threads", v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!Files.exists(dir.resolve("config.json"))) {
            long t0 = System.nanoTime();
            writeModel(dir);
            System.out.printf("wrote %s in %.1f s%n", dir, seconds(t0));
        }
        long t0 = System.nanoTime();
        try (ModelWeights w = ModelWeights.load(dir, ComputeDevice.parse(device, precision))) {
            System.out.printf("loaded %,d parameters (%s) in %.1f s on %s in %s, torch threads %s, %d cores%n",
                    parameters(w), w.config().family(), seconds(t0), w.device(), w.embed().getDataType(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"),
                    Runtime.getRuntime().availableProcessors());
            LanguageModel lm = LanguageModel.of(w);
            int vocab = w.config().vocabSize();
            Random r = new Random(1);
            int[][] seqs = new int[batch][seq];
            for (int[] s : seqs) {
                for (int i = 0; i < s.length; i++) {
                    s[i] = r.nextInt(vocab);
                }
            }
            multipleChoice(lm, vocab, mcDocs, mcContext, reps);
            if (mcOnly) {
                return;
            }
            lm.logProbs(seqs); // warm-up
            double score = best(reps, () -> lm.logProbs(seqs));
            int seqLength = seq;
            double floor = best(reps, () -> matmulsOnly(w, seqs.length, seqLength, seqLength - 1));
            long tokens = (long) batch * seq;
            System.out.printf("%-42s %10s %12s%n", "", "seconds", "tokens/s");
            System.out.printf("%-42s %10.3f %12.0f%n", "loglik scoring (B=" + batch + ", T=" + seq + ")", score,
                    tokens / score);
            System.out.printf("%-42s %10.3f %12.0f%n", "  matmuls alone (floor)", floor, tokens / floor);
            System.out.printf("%-42s %10.2fx%n", "  scoring / floor", score / floor);

            int n = newTokens;
            double step = best(5, () -> matmulsOnly(w, 1, 1, 1));
            System.out.printf("%-42s %10.3f %12.1f%n", "  one decode step's matmuls (floor)", step, 1 / step);
            for (int len : new int[] {prompt, 4 * prompt}) {
                int[] promptTokens = java.util.Arrays.copyOf(seqs[0], len);
                lm.generate(promptTokens, 4);
                int[][] out = new int[2][];
                double cached = best(Math.max(1, reps - 1), () -> out[0] = lm.generate(promptTokens, n));
                double uncached = best(1, () -> out[1] = lm.generateWithoutCache(promptTokens, n));
                printGeneration("generate " + n + " (prompt " + len + ")", n, cached, uncached,
                        java.util.Arrays.equals(out[0], out[1]));
            }
            if (genBatch > 1) {
                // Generate tasks decode their rows together (TaskRunner), so this is the cache's everyday case.
                int[][] prompts = new int[genBatch][];
                for (int i = 0; i < genBatch; i++) {
                    prompts[i] = java.util.Arrays.copyOf(seqs[i % seqs.length], prompt);
                    prompts[i][0] = i;   // distinct rows even when the batch exceeds the scoring batch
                }
                lm.generate(prompts, 4, (row, toks) -> false);
                int[][][] out = new int[2][][];
                double cached = best(Math.max(1, reps - 1), () -> out[0] = lm.generate(prompts, n, (row, toks) -> false));
                double uncached = best(1, () -> out[1] = lm.generateWithoutCache(prompts, n));
                printGeneration("generate " + n + " x " + genBatch + " (prompt " + prompt + ")", n * genBatch, cached,
                        uncached, java.util.Arrays.deepEquals(out[0], out[1]));
            }
        }
    }

    /**
     * Multiple-choice documents (a context of {@code context} tokens, 4 choices of 4 tokens): documents per second
     * with the context computed once per document ({@link LanguageModel#sharedContextLogProbs}) against each
     * choice scored as its own context + choice sequence (the choices of a document in one batch).
     */
    private static void multipleChoice(LanguageModel lm, int vocab, int docs, int context, int reps) {
        Random r = new Random(2);
        int[][] contexts = new int[docs][context];
        int[][][] choices = new int[docs][4][4];
        for (int d = 0; d < docs; d++) {
            for (int i = 0; i < context; i++) {
                contexts[d][i] = r.nextInt(vocab);
            }
            for (int[] c : choices[d]) {
                for (int i = 0; i < c.length; i++) {
                    c[i] = r.nextInt(vocab);
                }
            }
        }
        double[][][] shared = new double[docs][][];
        double[][][] separate = new double[docs][][];
        Runnable sharedRun = () -> {
            for (int d = 0; d < docs; d++) {
                shared[d] = lm.sharedContextLogProbs(contexts[d], choices[d]);
            }
        };
        Runnable separateRun = () -> {
            for (int d = 0; d < docs; d++) {
                int[][] seqs = new int[4][];
                for (int k = 0; k < 4; k++) {
                    seqs[k] = java.util.Arrays.copyOf(contexts[d], context + 4);
                    System.arraycopy(choices[d][k], 0, seqs[k], context, 4);
                }
                separate[d] = lm.logProbs(seqs);
            }
        };
        sharedRun.run();
        separateRun.run();
        double a = best(reps, sharedRun);
        double b = best(reps, separateRun);
        double diff = 0;
        for (int d = 0; d < docs; d++) {
            for (int k = 0; k < 4; k++) {
                for (int j = 0; j < 4; j++) {
                    diff = Math.max(diff, Math.abs(shared[d][k][j] - separate[d][k][context - 1 + j]));
                }
            }
        }
        System.out.printf("%-42s %10s %12s%n", "multiple choice, " + docs + " docs x 4 choices", "seconds", "docs/s");
        System.out.printf("%-42s %10.3f %12.2f%n", "  context once per document (" + context + " tokens)", a, docs / a);
        System.out.printf("%-42s %10.3f %12.2f%n", "  context once per choice", b, docs / b);
        System.out.printf("%-42s %10.2fx%n", "  speed-up", b / a);
        System.out.printf("  largest log-prob difference between the two: %.2e%n", diff);
    }

    private static void printGeneration(String label, long tokens, double cached, double uncached, boolean same) {
        System.out.printf("%-42s %10.3f %12.1f%n", label + ", KV cache", cached, tokens / cached);
        System.out.printf("%-42s %10.3f %12.1f%n", label + ", no cache", uncached, tokens / uncached);
        System.out.printf("%-42s %10.2fx%n", "  KV cache speed-up", uncached / cached);
        System.out.printf("  same tokens with and without cache: %b%n", same);
    }

    /** The products one scoring pass must do, with the model's own weights, and nothing else. */
    private static void matmulsOnly(ModelWeights w, int b, int t, int headRows) {
        LlamaConfig c = w.config();
        try (NDScope scope = new NDScope(); NDManager m = NDManager.newBaseManager(w.device())) {
            scope.suppressNotUsedWarning();
            int hd = c.headDim();
            long q = (long) c.numHeads() * hd;
            DataType type = w.embed().getDataType();
            NDArray x = random(m, type, b, t, c.hiddenSize());
            NDArray xq = random(m, type, b, t, q);
            NDArray xi = random(m, type, b, t, c.intermediateSize());
            NDArray qh = random(m, type, b, c.numKvHeads(), (long) c.groups() * t, hd);
            NDArray kh = random(m, type, b, c.numKvHeads(), hd, t);
            NDArray vh = random(m, type, b, c.numKvHeads(), t, hd);
            for (DecoderLayerWeights l : w.layers()) {
                Linear.linear(x, l.qkv()).singletonOrThrow().close();
                NDArray scores = qh.matMul(kh);
                scores.matMul(vh).close();
                scores.close();
                Linear.linear(xq, l.o()).singletonOrThrow().close();
                Linear.linear(x, l.gateUp()).singletonOrThrow().close();
                Linear.linear(xi, l.down()).singletonOrThrow().close();
            }
            // Scoring needs logits at every position but the last; a decoding step at its one position.
            Linear.linear(x.get(":, :{}", headRows), w.lmHead()).singletonOrThrow().close();
        }
    }

    /** Uniform in [-1, 1) in the model's compute type. */
    private static NDArray random(NDManager m, DataType type, long... dims) {
        return m.randomUniform(-1, 1, new Shape(dims)).toType(type, false);
    }

    private static double best(int reps, Runnable r) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, seconds(t0));
        }
        return best;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long parameters(ModelWeights w) {
        LlamaConfig c = w.config();
        long d = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKvHeads() * c.headDim();
        long layer = 2 * d + d * (q + 2 * kv) + q * d + 3 * d * c.intermediateSize();
        return c.vocabSize() * d * (c.tieWordEmbeddings() ? 1 : 2) + d + c.numLayers() * layer;
    }

    private static void writeModel(Path dir) {
        int layers = 12;
        int hidden = 768;
        int heads = 12;
        int kvHeads = 4;
        int headDim = 64;
        int inter = 2048;
        int vocab = 16384;
        DType t = DType.BF16;
        ObjectNode c = SyntheticCheckpoints.llamaConfig(layers, hidden, inter, vocab, t);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim);
        c.put("max_position_embeddings", 2048);
        List<TensorSpec> specs = new ArrayList<>();
        for (TensorSpec s : SyntheticCheckpoints.llamaSpecs(layers, hidden, inter, vocab, t)) {
            boolean kv = s.name().endsWith("k_proj.weight") || s.name().endsWith("v_proj.weight");
            specs.add(kv ? new TensorSpec(s.name(), t, dev.evomerge.checkpoint.Shape.of(kvHeads * headDim, hidden)) : s);
        }
        SyntheticCheckpoints.write(dir, c, specs, 7, Long.MAX_VALUE);
    }
}
