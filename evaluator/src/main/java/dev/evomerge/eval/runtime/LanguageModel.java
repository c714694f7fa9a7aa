package dev.evomerge.eval.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * Scores and generates with a decoder stack: one model, or a {@link LayerPath} over several. Every call
 * runs in its own {@link NDScope}, so nothing it computes outlives it; the weights belong to the
 * {@link ModelWeights} the caller closes.
 *
 * {@snippet :
 * try (ModelWeights w = ModelWeights.load(dir, ComputeDevice.CPU)) {
 *     LanguageModel lm = LanguageModel.of(w);
 *     double[][] lp = lm.logProbs(new int[][] {{1, 5, 9, 2}, {1, 7}});   // lp[1].length == 1
 *     int[] next = lm.generate(new int[] {1, 5}, 16);
 * }
 * }
 */
public final class LanguageModel {

    /** Logits held at once while scoring (16M floats = 64 MB, plus as much for their log-softmax). */
    static final long DEFAULT_LOGIT_BUDGET = 1L << 24;

    private final Decoder decoder;
    private final long logitBudget;

    private LanguageModel(Decoder decoder, long logitBudget) {
        this.decoder = decoder;
        this.logitBudget = logitBudget;
    }

    /** The same model scoring with at most {@code elements} logits alive at once (tests force chunking). */
    LanguageModel withLogitBudget(long elements) {
        return new LanguageModel(decoder, elements);
    }

    /** The model as it is: all its layers in order, scale 1. */
    public static LanguageModel of(ModelWeights model) {
        return new LanguageModel(new Decoder(model, model.layers(), ones(model.numLayers())), DEFAULT_LOGIT_BUDGET);
    }

    /** A layer-routed model; embeddings, final norm and lm_head from {@code models.get(0)}. */
    public static LanguageModel of(LayerPath path, List<ModelWeights> models) {
        path.validate(models);
        List<DecoderLayerWeights> layers = new ArrayList<>();
        double[] scales = new double[path.steps().size()];
        for (int i = 0; i < scales.length; i++) {
            LayerPath.Step s = path.steps().get(i);
            layers.add(models.get(s.model()).layer(s.layer()));
            scales[i] = s.scale();
        }
        return new LanguageModel(new Decoder(models.getFirst(), layers, scales), DEFAULT_LOGIT_BUDGET);
    }

    private static double[] ones(int n) {
        double[] d = new double[n];
        java.util.Arrays.fill(d, 1.0);
        return d;
    }

    /** The context the model was trained for ({@code max_position_embeddings}), 0 when its config does not say. */
    public int maxPositionEmbeddings() {
        return decoder.first().config().maxPositionEmbeddings();
    }

    /** {@link #logProbs(int[][])} of one sequence. */
    public double[] logProbs(int[] sequence) {
        return logProbs(new int[][] {sequence})[0];
    }

    /**
     * For each sequence, the log-probability of each token given those before it: {@code result[i][j]} is
     * log p(seq[j+1] | seq[0..j]), so {@code result[i].length == seq.length - 1}. The batch runs as one
     * forward pass, right-padded, with padding masked out of attention.
     */
    public double[][] logProbs(int[][] sequences) {
        return score(sequences, false).logProbs();
    }

    /**
     * Each position's log-probability of the next token and the token greedy decoding would have written there:
     * {@code logProbs[i][j]} as {@link #logProbs(int[][])} gives it, {@code greedy[i][j]} the most likely token after
     * {@code seq[0..j]} (as {@link #greedyNext(int[][])}, without the last position).
     */
    public record ScoredTokens(double[][] logProbs, int[][] greedy) {
    }

    /**
     * {@link #logProbs(int[][])} and the greedy tokens of the same positions from one forward pass: whether greedy
     * decoding writes a continuation, and how likely it is, without running the sequences twice.
     */
    public ScoredTokens logProbsAndGreedy(int[][] sequences) {
        return score(sequences, true);
    }

    private ScoredTokens score(int[][] sequences, boolean withGreedy) {
        if (sequences.length == 0) {
            return new ScoredTokens(new double[0][], new int[0][]);
        }
        int[] lengths = new int[sequences.length];
        int t = 0;
        for (int i = 0; i < sequences.length; i++) {
            lengths[i] = sequences[i].length;
            if (lengths[i] == 0) {
                throw new IllegalArgumentException("sequence " + i + " is empty");
            }
            checkTokens(sequences[i]);
            t = Math.max(t, lengths[i]);
        }
        double[][] out = new double[sequences.length][];
        int[][] greedy = new int[sequences.length][];
        if (t == 1) {
            for (int i = 0; i < out.length; i++) {
                out[i] = new double[0];
                greedy[i] = new int[0];
            }
            return new ScoredTokens(out, greedy);
        }
        int[][] padded = pad(sequences, t);
        long[] targets = new long[sequences.length * (t - 1)];
        for (int i = 0; i < sequences.length; i++) {
            for (int j = 0; j < t - 1; j++) {
                targets[i * (t - 1) + j] = padded[i][j + 1];
            }
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int rows = sequences.length * (t - 1);
            NDArray hidden = decoder.hidden(padded, lengths, null).get(new NDIndex(":, :{}", t - 1))
                    .reshape(rows, -1);
            // Positions in chunks, so a long batch over a large vocabulary never holds all its logits at once.
            int chunk = (int) Math.max(1, Math.min(rows, logitBudget / decoder.first().config().vocabSize()));
            float[] picked = new float[rows];
            long[] best = new long[withGreedy ? rows : 0];
            for (int from = 0; from < rows; from += chunk) {
                int to = Math.min(rows, from + chunk);
                long[] ids = java.util.Arrays.copyOfRange(targets, from, to);
                NDArray logits = decoder.logits(hidden.get(new NDIndex("{}:{}", from, to)));
                NDArray logp = logits.logSoftmax(-1);
                NDArray idx = HostArrays.longs(decoder.manager(), ids, new Shape(to - from, 1));
                NDArray got = logp.gather(idx, 1);
                System.arraycopy(got.toFloatArray(), 0, picked, from, to - from);
                if (withGreedy) {
                    NDArray arg = logits.argMax(-1);
                    System.arraycopy(arg.toLongArray(), 0, best, from, to - from);
                    arg.close();
                }
                for (NDArray a : new NDArray[] {logits, logp, idx, got}) {
                    a.close();
                }
            }
            for (int i = 0; i < sequences.length; i++) {
                out[i] = new double[lengths[i] - 1];
                greedy[i] = new int[withGreedy ? lengths[i] - 1 : 0];
                for (int j = 0; j < lengths[i] - 1; j++) {
                    out[i][j] = picked[i * (t - 1) + j];
                    if (withGreedy) {
                        greedy[i][j] = (int) best[i * (t - 1) + j];
                    }
                }
            }
        }
        return new ScoredTokens(out, greedy);
    }

    /**
     * For each sequence and each prefix {@code seq[0..j]}, the most likely next token: {@code result[i][j]}
     * (so {@code result[i].length == seq.length}). One batched forward pass. Greedy decoding of a prompt writes
     * a given continuation exactly when this matches it at every position of the continuation, which turns
     * an exact-match check into one pass instead of a token-by-token loop.
     */
    public int[][] greedyNext(int[][] sequences) {
        if (sequences.length == 0) {
            return new int[0][];
        }
        int[] lengths = new int[sequences.length];
        int t = 0;
        for (int i = 0; i < sequences.length; i++) {
            checkPrompt(sequences[i]);
            lengths[i] = sequences[i].length;
            t = Math.max(t, lengths[i]);
        }
        int rows = sequences.length * t;
        int[] best = new int[rows];
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray hidden = decoder.hidden(pad(sequences, t), lengths, null).reshape(rows, -1);
            int chunk = (int) Math.max(1, Math.min(rows, logitBudget / decoder.first().config().vocabSize()));
            for (int from = 0; from < rows; from += chunk) {
                int to = Math.min(rows, from + chunk);
                long[] arg = decoder.logits(hidden.get(new NDIndex("{}:{}", from, to))).argMax(-1).toLongArray();
                for (int k = 0; k < arg.length; k++) {
                    best[from + k] = (int) arg[k];
                }
            }
        }
        int[][] out = new int[sequences.length][];
        for (int i = 0; i < sequences.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(best, i * t, i * t + lengths[i]);
        }
        return out;
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens with a KV cache; returns only the new tokens. */
    public int[] generate(int[] prompt, int maxNewTokens) {
        return generate(prompt, maxNewTokens, new int[0]);
    }

    /** As {@link #generate(int[], int)}, stopping after emitting any of {@code stopTokens}. */
    public int[] generate(int[] prompt, int maxNewTokens, int[] stopTokens) {
        checkPrompt(prompt);
        int[] out = new int[maxNewTokens];
        int n = 0;
        try (KvCache cache = new KvCache(decoder.manager(), decoder.steps(), 1)) {
            int[] step = prompt;
            while (n < maxNewTokens) {
                int next;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    next = argmaxLast(decoder.hidden(new int[][] {step}, new int[] {step.length}, cache));
                }
                out[n++] = next;
                if (contains(stopTokens, next)) {
                    break;
                }
                step = new int[] {next};
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Greedy decoding of a batch of prompts at once, with one KV cache: a prefill of the right-padded
     * prompts, then one token per row per step. A row stops growing once {@code finished} says so for its
     * tokens so far (row index, new tokens); the batch stops when every row has, or after
     * {@code maxNewTokens}. Each row gets the tokens {@link #generate(int[], int)} would give it alone.
     */
    public int[][] generate(int[][] prompts, int maxNewTokens, BiPredicate<Integer, int[]> finished) {
        int b = prompts.length;
        int[][] out = new int[b][];
        if (b == 0) {
            return out;
        }
        int[] lengths = new int[b];
        int t = 0;
        for (int r = 0; r < b; r++) {
            checkPrompt(prompts[r]);
            lengths[r] = prompts[r].length;
            t = Math.max(t, lengths[r]);
        }
        int[][] grown = new int[b][maxNewTokens];
        int[] n = new int[b];
        boolean[] done = new boolean[b];
        try (KvCache cache = new KvCache(decoder.manager(), decoder.steps(), b)) {
            int[][] step = pad(prompts, t);
            int[] stepLengths = lengths;
            for (int k = 0; k < maxNewTokens; k++) {
                int[] next;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    next = argmaxAt(decoder.hidden(step, stepLengths, cache), stepLengths);
                }
                boolean all = true;
                for (int r = 0; r < b; r++) {
                    if (!done[r]) {
                        grown[r][n[r]++] = next[r];
                        done[r] = n[r] == maxNewTokens || finished.test(r, java.util.Arrays.copyOf(grown[r], n[r]));
                    }
                    all &= done[r];
                }
                if (all) {
                    break;
                }
                step = new int[b][1];
                for (int r = 0; r < b; r++) {
                    step[r][0] = next[r];
                }
                stepLengths = new int[b];
                java.util.Arrays.fill(stepLengths, 1);
            }
        }
        for (int r = 0; r < b; r++) {
            out[r] = java.util.Arrays.copyOf(grown[r], n[r]);
        }
        return out;
    }

    /** The most likely next token after position {@code lengths[r] - 1} of each row of {@code hidden} [B, T, D]. */
    private int[] argmaxAt(NDArray hidden, int[] lengths) {
        long b = hidden.getShape().get(0);
        long t = hidden.getShape().get(1);
        long d = hidden.getShape().get(2);
        long[] rows = new long[Math.toIntExact(b * d)];
        for (int r = 0; r < b; r++) {
            java.util.Arrays.fill(rows, (int) (r * d), (int) ((r + 1) * d), r * t + lengths[r] - 1);
        }
        NDArray last = hidden.reshape(b * t, d).gather(HostArrays.longs(decoder.manager(), rows, new Shape(b, d)), 0);
        long[] arg = decoder.logits(last).argMax(-1).toLongArray();
        int[] next = new int[arg.length];
        for (int r = 0; r < arg.length; r++) {
            next[r] = (int) arg[r];
        }
        return next;
    }

    /**
     * For each continuation, the log-probability of each of its tokens after {@code context} and the
     * continuation's earlier tokens: {@code result[k][j]} is log p(cont[k][j] | context, cont[k][..j]). The
     * context runs once, instead of once per continuation as {@link #logProbs(int[][])} of the concatenated
     * sequences would run it: context and continuations go through the model as one packed row, each
     * continuation at the positions after the context and seeing only the context and its own earlier tokens.
     */
    public double[][] sharedContextLogProbs(int[] context, int[][] continuations) {
        checkPrompt(context);
        int n = continuations.length;
        double[][] out = new double[n][];
        if (n == 0) {
            return out;
        }
        int c = context.length;
        int total = c;
        for (int k = 0; k < n; k++) {
            if (continuations[k].length == 0) {
                throw new IllegalArgumentException("continuation " + k + " is empty");
            }
            checkTokens(continuations[k]);
            total += continuations[k].length - 1;   // a continuation's last token is predicted, never read
        }
        // One pass, not a context pass and then a pass of the continuations over its KV cache: a pass reads every
        // weight once, and the continuations' few tokens cost a second pass nearly what the context's did
        // (scripts/bench-eval --mc-only true, 2 cores: 8-token contexts ran slower shared than per choice).
        int[] tokens = new int[total];
        int[] positions = new int[total];
        boolean[][] sees = new boolean[total][total];
        for (int i = 0; i < c; i++) {
            tokens[i] = context[i];
            positions[i] = i;
            java.util.Arrays.fill(sees[i], 0, i + 1, true);
        }
        int[] start = new int[n];
        int at = c;
        long[] targets = new long[total - c];
        for (int k = 0; k < n; k++) {
            start[k] = at;
            for (int j = 0; j < continuations[k].length - 1; j++) {
                tokens[at + j] = continuations[k][j];
                positions[at + j] = c + j;
                java.util.Arrays.fill(sees[at + j], 0, c, true);
                java.util.Arrays.fill(sees[at + j], at, at + j + 1, true);
                targets[at + j - c] = continuations[k][j + 1];
            }
            at += continuations[k].length - 1;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray hidden = decoder.hidden(tokens, positions, sees);
            // Every continuation's first token is predicted from the context's last position.
            float[] first = decoder.logits(hidden.get(new NDIndex("0, {}:{}, :", c - 1, c))).logSoftmax(-1).toFloatArray();
            float[] picked = new float[0];
            if (total > c) {
                NDArray logp = decoder.logits(hidden.get(new NDIndex("0, {}:, :", c))).logSoftmax(-1);
                picked = logp.gather(HostArrays.longs(decoder.manager(), targets, new Shape(targets.length, 1)), 1)
                        .toFloatArray();
            }
            for (int k = 0; k < n; k++) {
                out[k] = new double[continuations[k].length];
                out[k][0] = first[continuations[k][0]];
                for (int j = 1; j < out[k].length; j++) {
                    out[k][j] = picked[start[k] + j - 1 - c];
                }
            }
        }
        return out;
    }

    /** Greedy decoding that reruns the whole sequence for every token: the reference for the cache. */
    public int[] generateWithoutCache(int[] prompt, int maxNewTokens) {
        return generateWithoutCache(new int[][] {prompt}, maxNewTokens)[0];
    }

    /**
     * {@link #generateWithoutCache(int[], int)} for a batch: every step reruns all rows in full, right-padded,
     * and reads each row's next token at its own last position. The reference for the batched cache.
     */
    public int[][] generateWithoutCache(int[][] prompts, int maxNewTokens) {
        int b = prompts.length;
        int[][] seqs = new int[b][];
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            checkPrompt(prompts[r]);
            seqs[r] = java.util.Arrays.copyOf(prompts[r], prompts[r].length + maxNewTokens);
            lengths[r] = prompts[r].length;
        }
        for (int n = 0; n < maxNewTokens && b > 0; n++) {
            int t = 0;
            int[][] current = new int[b][];
            for (int r = 0; r < b; r++) {
                current[r] = java.util.Arrays.copyOf(seqs[r], lengths[r]);
                t = Math.max(t, lengths[r]);
            }
            int[] next;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                next = argmaxAt(decoder.hidden(pad(current, t), lengths, null), lengths);
            }
            for (int r = 0; r < b; r++) {
                seqs[r][lengths[r]++] = next[r];
            }
        }
        int[][] out = new int[b][];
        for (int r = 0; r < b; r++) {
            out[r] = java.util.Arrays.copyOfRange(seqs[r], prompts[r].length, lengths[r]);
        }
        return out;
    }

    private int argmaxLast(NDArray hidden) {
        long t = hidden.getShape().get(1);
        NDArray last = hidden.get(new NDIndex(":, {}:", t - 1));
        return (int) decoder.logits(last).argMax(-1).toLongArray()[0];
    }

    private void checkPrompt(int[] prompt) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        checkTokens(prompt);
    }

    private void checkTokens(int[] tokens) {
        int vocab = decoder.first().config().vocabSize();
        for (int tok : tokens) {
            if (tok < 0 || tok >= vocab) {
                throw new IllegalArgumentException("token id " + tok + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static int[][] pad(int[][] sequences, int t) {
        int[][] p = new int[sequences.length][t];
        for (int i = 0; i < sequences.length; i++) {
            System.arraycopy(sequences[i], 0, p[i], 0, sequences[i].length);
        }
        return p;
    }
}
