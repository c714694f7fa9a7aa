package dev.evomerge.eval.harness;

import dev.evomerge.eval.harness.HarnessSpec.OutputType;
import dev.evomerge.eval.runtime.LanguageModel;
import dev.evomerge.eval.tokenizer.ModelTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Scores an lm-evaluation-harness task's documents on a model as lm-evaluation-harness's Hugging Face backend
 * does: the context's trailing whitespace moves into the continuation before tokenizing, the continuation's
 * tokens are those of context + continuation after the context's own, texts get the special tokens the
 * tokenizer adds (an empty context is the BOS token, or EOS without one), generation is greedy up to
 * {@code max_gen_toks} or a stop string. Metrics are aggregated under lm-evaluation-harness's names ({@code acc,none},
 * {@code exact_match,strict-match}). A request longer than the model's {@code max_position_embeddings} is scored
 * whole, and said once per task through {@link ContextWarnings}. Not thread-safe.
 *
 * {@snippet :
 * HarnessScorer.Result r = new HarnessScorer(model, tokenizer, ContextWarnings.toStandardError())
 *         .score(task, task.test(), sample -> { });
 * r.metrics().get("acc_norm,none");
 * }
 */
public final class HarnessScorer {

    /** Documents decoded together in one generation batch. */
    static final int GENERATE_BATCH = 32;
    /**
     * Rolling windows of one document scored in one batch, at most: a long document's windows, each of the model's
     * length, would otherwise all be one batch.
     */
    static final int ROLLING_BATCH = 8;
    /** lm-evaluation-harness's length for a model whose config names none ({@code _DEFAULT_MAX_LENGTH}). */
    static final int DEFAULT_MAX_LENGTH = 2048;

    /** A task's scores on some documents. */
    public record Result(String task, int n, Map<String, Double> metrics, String primary, double[] perDoc) {
        public Result {
            metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
            perDoc = perDoc.clone();
        }

        @Override
        public double[] perDoc() {
            return perDoc.clone();
        }
    }

    private final LanguageModel model;
    private final ModelTokenizer tokenizer;
    private final ContextWarnings warnings;
    /** The longest request of the current {@link #score} call, in tokens the model reads. */
    private int longest;

    public HarnessScorer(LanguageModel model, ModelTokenizer tokenizer, ContextWarnings warnings) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    /**
     * The window of a rolling log-likelihood, as lm-evaluation-harness's Hugging Face backend takes it: the model's
     * {@code max_position_embeddings}, else its default.
     */
    int maxLength() {
        return model.maxPositionEmbeddings() > 0 ? model.maxPositionEmbeddings() : DEFAULT_MAX_LENGTH;
    }

    /** Scores {@code docs}, handing each document's sample to {@code log} as it is scored. */
    public Result score(HarnessTask task, List<HarnessDoc> docs, Consumer<HarnessSample> log) {
        if (docs.isEmpty()) {
            throw new IllegalArgumentException("task " + task.name() + ": no documents to score");
        }
        HarnessSpec spec = task.spec();
        longest = 0;
        List<HarnessSample> samples = switch (spec.outputType()) {
            case GENERATE_UNTIL -> generate(spec, docs);
            case MULTIPLE_CHOICE -> multipleChoice(spec, docs);
            case LOGLIKELIHOOD -> loglikelihood(spec, docs);
            case LOGLIKELIHOOD_ROLLING -> rolling(spec, docs);
        };
        warnings.check(task.name(), longest, model.maxPositionEmbeddings());
        samples.forEach(log);
        return aggregate(task, samples);
    }

    /** The metric names this task reports, in order: each metric under each filter (generation) or {@code none}. */
    public static List<String> metricKeys(HarnessSpec spec) {
        List<String> keys = new ArrayList<>();
        List<String> filters = spec.outputType() == OutputType.GENERATE_UNTIL
                ? spec.filters().stream().map(HarnessFilter.Pipeline::name).toList() : List.of("none");
        for (String f : filters) {
            for (HarnessMetric m : spec.metrics()) {
                keys.add(m.name() + "," + f);
            }
        }
        return keys;
    }

    /** A context / continuation pair tokenized as lm-evaluation-harness's {@code _encode_pair} does. */
    record Pair(int[] context, int[] continuation) {
        int[] whole() {
            int[] w = Arrays.copyOf(context, context.length + continuation.length);
            System.arraycopy(continuation, 0, w, context.length, continuation.length);
            return w;
        }
    }

    Pair encodePair(String context, String continuation) {
        if (context.isEmpty()) {
            int[] cont = tokenizer.encode(continuation, false);
            int prefix = prefixToken();
            if (cont.length > 0 && cont[0] == prefix) {
                return new Pair(new int[] {prefix}, Arrays.copyOfRange(cont, 1, cont.length));
            }
            return new Pair(new int[] {prefix}, cont);
        }
        int spaces = context.length() - PythonMethods.strip(context, null, false, true).length();
        if (spaces > 0) {
            continuation = context.substring(context.length() - spaces) + continuation;
            context = context.substring(0, context.length() - spaces);
        }
        int[] whole = encode(context + continuation);
        int[] ctx = encode(context);
        return new Pair(ctx, Arrays.copyOfRange(whole, Math.min(ctx.length, whole.length), whole.length));
    }

    /**
     * The tokenizer's own encoding, special tokens included (lm-evaluation-harness's default), except that a
     * text already starting with the BOS token's text (a rendered chat template) gets none added.
     */
    int[] encode(String text) {
        String bos = tokenizer.decode(new int[] {prefixToken()}, false);
        return tokenizer.encode(text, bos.isEmpty() || !text.startsWith(bos));
    }

    private int prefixToken() {
        int[] special = tokenizer.encode("", true);
        if (special.length > 0) {
            return special[0];
        }
        int[] eos = tokenizer.eosTokenIds();
        if (eos.length == 0) {
            throw new IllegalStateException("the tokenizer has neither a BOS nor an EOS token to start an empty context");
        }
        return eos[0];
    }

    /** Log-likelihoods and greedy flags of each pair's continuation, all pairs in one forward pass. */
    private double[][] score(List<Pair> pairs) {
        int[][] seqs = pairs.stream().map(Pair::whole).toArray(int[][]::new);
        for (int[] seq : seqs) {
            longest = Math.max(longest, seq.length - 1);   // the last token is predicted, never read
        }
        LanguageModel.ScoredTokens scored = model.logProbsAndGreedy(seqs);
        double[][] lp = scored.logProbs();
        int[][] best = scored.greedy();
        double[] ll = new double[pairs.size()];
        double[] greedy = new double[pairs.size()];
        for (int k = 0; k < pairs.size(); k++) {
            Pair p = pairs.get(k);
            int from = p.context().length;
            boolean g = true;
            for (int j = from; j < seqs[k].length; j++) {
                ll[k] += lp[k][j - 1];
                g &= best[k][j - 1] == seqs[k][j];
            }
            greedy[k] = g ? 1 : 0;
        }
        return new double[][] {ll, greedy};
    }

    /**
     * Summed log-likelihoods of the pairs' continuations. Pairs that share their context tokens (a document's
     * choices, as a rule) run the context once into a KV cache shared by all continuations; others run whole.
     */
    private double[] sharedContext(List<Pair> pairs) {
        int[] ctx = pairs.getFirst().context();
        boolean same = pairs.stream().allMatch(p -> Arrays.equals(p.context(), ctx) && p.continuation().length > 0);
        if (!same) {
            return score(pairs)[0];
        }
        for (Pair p : pairs) {
            longest = Math.max(longest, p.context().length + p.continuation().length - 1);
        }
        double[][] lp = model.sharedContextLogProbs(ctx, pairs.stream().map(Pair::continuation).toArray(int[][]::new));
        double[] ll = new double[lp.length];
        for (int k = 0; k < lp.length; k++) {
            for (double x : lp[k]) {
                ll[k] += x;
            }
        }
        return ll;
    }

    private List<HarnessSample> multipleChoice(HarnessSpec spec, List<HarnessDoc> docs) {
        List<HarnessSample> out = new ArrayList<>();
        for (HarnessDoc d : docs) {
            List<Pair> pairs = d.continuations().stream().map(c -> encodePair(d.context(), c)).toList();
            double[] ll = sharedContext(pairs);
            out.add(new HarnessSample(d, "", ll, new boolean[0], Map.of(), choiceScores(ll, d, spec.metrics())));
        }
        return out;
    }

    /**
     * A multiple-choice document's metrics from its choices' log-likelihoods: {@code acc} takes the largest,
     * {@code acc_norm} the largest per character of the choice (without the target delimiter).
     */
    static Map<String, Double> choiceScores(double[] ll, HarnessDoc d, List<HarnessMetric> metrics) {
        double[] norm = new double[ll.length];
        for (int k = 0; k < ll.length; k++) {
            norm[k] = ll[k] / d.choices().get(k).codePointCount(0, d.choices().get(k).length());
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        for (HarnessMetric m : metrics) {
            int pred = argmax(m.name().equals("acc_norm") ? norm : ll);
            scores.put(m.name() + ",none", d.gold().contains(pred) ? 1.0 : 0.0);
        }
        return scores;
    }

    private List<HarnessSample> loglikelihood(HarnessSpec spec, List<HarnessDoc> docs) {
        List<HarnessSample> out = new ArrayList<>();
        for (HarnessDoc d : docs) {
            double[][] s = score(List.of(encodePair(d.context(), d.continuations().getFirst())));
            Map<String, Double> scores = new LinkedHashMap<>();
            for (HarnessMetric m : spec.metrics()) {
                scores.put(m.name() + ",none", m.name().equals("acc") ? s[1][0] : s[0][0]);
            }
            out.add(new HarnessSample(d, "", s[0], flags(s[1]), Map.of(), scores));
        }
        return out;
    }

    private List<HarnessSample> rolling(HarnessSpec spec, List<HarnessDoc> docs) {
        List<HarnessSample> out = new ArrayList<>();
        for (HarnessDoc d : docs) {
            String text = d.continuations().getFirst();
            // As lm-evaluation-harness: the text's own encoding (BOS included, as the tokenizer adds it), every
            // token scored, in windows of the model's length, the first after the prefix token.
            List<Pair> windows = rollingWindows(encode(text), prefixToken(), maxLength());
            double ll = 0;
            boolean greedy = true;
            for (int from = 0; from < windows.size(); from += ROLLING_BATCH) {
                double[][] s = score(windows.subList(from, Math.min(windows.size(), from + ROLLING_BATCH)));
                ll += Arrays.stream(s[0]).sum();
                greedy &= Arrays.stream(s[1]).allMatch(g -> g != 0);
            }
            Map<String, Double> scores = new LinkedHashMap<>();
            for (HarnessMetric m : spec.metrics()) {
                scores.put(m.name() + ",none", ll);
                scores.put(m.name() + ",none:units", (double) (m.name().equals("word_perplexity") ? words(text) : bytes(text)));
            }
            out.add(new HarnessSample(d, "", new double[] {ll}, new boolean[] {greedy}, Map.of(), scores));
        }
        return out;
    }

    /**
     * lm-evaluation-harness's rolling windows with one token of context ({@code get_rolling_token_windows} with
     * {@code context_len} 1, each made disjoint): the first predicts the first {@code maxLength} tokens after
     * {@code prefix}; each next one predicts up to {@code maxLength} more, read after as many tokens before them as
     * fill a window of {@code maxLength}. Every token is predicted once; no window reads more than {@code maxLength}.
     */
    static List<Pair> rollingWindows(int[] tokens, int prefix, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("a rolling window needs a length >= 1, got " + maxLength);
        }
        List<Pair> windows = new ArrayList<>();
        if (tokens.length == 0) {
            return windows;
        }
        int first = Math.min(maxLength, tokens.length);
        windows.add(new Pair(new int[] {prefix}, Arrays.copyOfRange(tokens, 0, first)));
        int predicted = first;
        while (predicted < tokens.length) {
            int n = Math.min(tokens.length - predicted, maxLength);
            int end = predicted + n;
            windows.add(new Pair(Arrays.copyOfRange(tokens, end - maxLength - 1, end - n),
                    Arrays.copyOfRange(tokens, end - n, end)));
            predicted = end;
        }
        return windows;
    }

    /** lm-evaluation-harness's word count: {@code len(re.split(r"\s+", text))}. */
    static int words(String text) {
        return text.split("(?U)\\s+", -1).length;
    }

    static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private List<HarnessSample> generate(HarnessSpec spec, List<HarnessDoc> docs) {
        List<HarnessSample> out = new ArrayList<>();
        int[] eos = tokenizer.eosTokenIds();
        List<String> until = spec.until();
        for (int from = 0; from < docs.size(); from += GENERATE_BATCH) {
            List<HarnessDoc> batch = docs.subList(from, Math.min(docs.size(), from + GENERATE_BATCH));
            int[][] prompts = batch.stream().map(d -> encode(d.context())).toArray(int[][]::new);
            for (int[] p : prompts) {
                longest = Math.max(longest, p.length + spec.maxGenToks());
            }
            int[][] gen = model.generate(prompts, spec.maxGenToks(), (row, tokens) ->
                    contains(eos, tokens[tokens.length - 1]) || !cut(tokenizer.decode(tokens), until).equals(tokenizer.decode(tokens)));
            for (int i = 0; i < gen.length; i++) {
                HarnessDoc d = batch.get(i);
                String raw = cut(tokenizer.decode(gen[i]), until);
                Map<String, String> filtered = new LinkedHashMap<>();
                Map<String, Double> scores = new LinkedHashMap<>();
                for (HarnessFilter.Pipeline p : spec.filters()) {
                    String answer = p.apply(raw);
                    filtered.put(p.name(), answer);
                    for (HarnessMetric m : spec.metrics()) {
                        boolean hit = d.targets().stream().anyMatch(t -> m.exactMatch(answer, t));
                        scores.put(m.name() + "," + p.name(), hit ? 1.0 : 0.0);
                    }
                }
                out.add(new HarnessSample(d, raw, new double[0], new boolean[0], filtered, scores));
            }
        }
        return out;
    }

    /** lm-evaluation-harness's stop: the text before the first occurrence of each stop string in turn. */
    static String cut(String text, List<String> until) {
        String s = text;
        for (String u : until) {
            if (!u.isEmpty()) {
                int i = s.indexOf(u);
                if (i >= 0) {
                    s = s.substring(0, i);
                }
            }
        }
        return s;
    }

    private Result aggregate(HarnessTask task, List<HarnessSample> samples) {
        HarnessSpec spec = task.spec();
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (String key : metricKeys(spec)) {
            String name = key.substring(0, key.indexOf(','));
            double sum = 0;
            double units = 0;
            for (HarnessSample s : samples) {
                sum += s.scores().get(key);
                units += s.scores().getOrDefault(key + ":units", 0.0);
            }
            metrics.put(key, aggregate(name, sum, units, samples.size()));
        }
        String primary = task.scoreMetric();
        double[] perDoc = samples.stream().mapToDouble(s -> s.scores().get(primary)).toArray();
        return new Result(task.name(), samples.size(), metrics, primary, perDoc);
    }

    /**
     * lm-evaluation-harness's aggregations: the mean, {@code perplexity} exp(-mean log-likelihood), the weighted
     * perplexities exp(-sum ll / sum units), bits per byte -sum ll / sum bytes / ln 2.
     */
    static double aggregate(String metric, double sum, double units, int n) {
        return switch (metric) {
            case "perplexity" -> Math.exp(-sum / n);
            case "word_perplexity", "byte_perplexity" -> Math.exp(-sum / units);
            case "bits_per_byte" -> -sum / units / Math.log(2);
            default -> sum / n;
        };
    }

    private static int argmax(double[] xs) {
        int best = 0;
        for (int k = 1; k < xs.length; k++) {
            if (xs[k] > xs[best]) {
                best = k;
            }
        }
        return best;
    }

    private static boolean[] flags(double[] xs) {
        boolean[] b = new boolean[xs.length];
        for (int i = 0; i < xs.length; i++) {
            b[i] = xs[i] != 0;
        }
        return b;
    }

    private static boolean contains(int[] xs, int x) {
        for (int v : xs) {
            if (v == x) {
                return true;
            }
        }
        return false;
    }
}
