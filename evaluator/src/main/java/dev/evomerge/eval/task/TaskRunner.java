package dev.evomerge.eval.task;

import dev.evomerge.eval.runtime.LanguageModel;
import dev.evomerge.eval.tokenizer.ModelTokenizer;
import dev.evomerge.eval.harness.ContextWarnings;
import dev.evomerge.eval.harness.HarnessDoc;
import dev.evomerge.eval.harness.HarnessSample;
import dev.evomerge.eval.harness.HarnessScorer;
import dev.evomerge.eval.harness.HarnessTask;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Scores one model on tasks: greedy generation for {@code generate}, summed continuation log-likelihood for
 * {@code choice} (all choices of a row in one batched forward pass), mean log-likelihood per token for
 * {@code loglik}.
 *
 * {@snippet :
 * try (ModelWeights w = ModelWeights.load(dir, ComputeDevice.CPU); ModelTokenizer tok = ModelTokenizer.load(dir)) {
 *     TaskRunner runner = new TaskRunner(LanguageModel.of(w), tok);
 *     TaskResult r = runner.run(Task.load(Path.of("tasks/arc.yaml")), TaskSplit.TEST, 100);
 * }
 * }
 */
public final class TaskRunner {

    /** Loglik rows scored per forward pass. */
    static final int LOGLIK_BATCH = 8;
    /**
     * Generation runs in chunks so stop strings can end it early; each new chunk re-reads the text so far
     * (one prefill) instead of decoding tokens nobody will look at.
     */
    static final int GENERATE_CHUNK = 32;
    /** Generate-task rows decoded together, sharing one KV cache. */
    static final int GENERATE_BATCH = 32;

    private final LanguageModel model;
    private final ModelTokenizer tokenizer;
    private final ContextWarnings warnings;

    /** A runner that says on standard error, once per task, when a request is longer than the model's context. */
    public TaskRunner(LanguageModel model, ModelTokenizer tokenizer) {
        this(model, tokenizer, ContextWarnings.toStandardError());
    }

    /** A runner whose context-length warnings go to {@code warnings}, which may outlive it (one per run). */
    public TaskRunner(LanguageModel model, ModelTokenizer tokenizer, ContextWarnings warnings) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
    }

    /** Scores the rows of {@code split}, the first {@code limit} of them when {@code limit > 0}. */
    public TaskResult run(Task task, TaskSplit split, int limit) {
        if (task.isHarness()) {
            return runHarness(task, split, limit, sample -> { });
        }
        List<TaskRow> rows = task.rows(split);
        if (limit > 0 && rows.size() > limit) {
            rows = rows.subList(0, limit);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("task " + task.name() + ": no rows in split " + split.label());
        }
        return switch (task.type()) {
            case GENERATE -> generate(task, split, rows);
            case CHOICE -> choice(task, split, rows);
            case LOGLIK -> loglik(task, split, rows);
        };
    }

    /**
     * Scores an lm-evaluation-harness task's documents of {@code split} (search, test, or both), handing each
     * document's sample to {@code log}. The result's {@code extra} holds every metric under
     * lm-evaluation-harness's name; its score is the first metric, negated where lower is better (the
     * perplexities), so that a larger score is always better; its per-document scores are the first metric's
     * (for the perplexities, each document's log-likelihood).
     */
    public TaskResult runHarness(Task task, TaskSplit split, int limit, Consumer<HarnessSample> log) {
        HarnessTask h = task.harness();
        List<HarnessDoc> docs = switch (split) {
            case SEARCH -> h.search();
            case TEST -> h.test();
            case ALL -> {
                List<HarnessDoc> all = new ArrayList<>(h.search());
                all.addAll(h.test());
                yield all;
            }
        };
        if (limit > 0 && docs.size() > limit) {
            docs = docs.subList(0, limit);
        }
        HarnessScorer.Result r = new HarnessScorer(model, tokenizer, warnings).score(h, docs, log);
        double primary = r.metrics().get(r.primary());
        boolean higherIsBetter = !r.primary().contains("perplexity") && !r.primary().startsWith("bits_per_byte");
        // Per document, the perplexities hold log-likelihoods, which are already better larger.
        return new TaskResult(task.name(), r.primary(), higherIsBetter ? primary : -primary, r.n(), split, r.perDoc(), r.metrics());
    }

    private TaskResult generate(Task task, TaskSplit split, List<TaskRow> rows) {
        double[] scores = new double[rows.size()];
        int[] eos = tokenizer.eosTokenIds();
        for (int from = 0; from < rows.size(); from += GENERATE_BATCH) {
            List<TaskRow> batch = rows.subList(from, Math.min(rows.size(), from + GENERATE_BATCH));
            int[][] prompts = new int[batch.size()][];
            for (int i = 0; i < prompts.length; i++) {
                prompts[i] = tokenizer.encode(task.prefix() + ((TaskRow.Generate) batch.get(i)).prompt());
            }
            int[][] out = model.generate(prompts, task.maxNewTokens(), (row, tokens) ->
                    contains(eos, tokens[tokens.length - 1]) || stopped(tokenizer.decode(tokens), task.stop()));
            for (int i = 0; i < out.length; i++) {
                String text = Metric.cutAtStop(tokenizer.decode(out[i]), task.stop());
                scores[from + i] = task.metric().matches(text, ((TaskRow.Generate) batch.get(i)).answer()) ? 1 : 0;
            }
        }
        return new TaskResult(task.name(), task.metric().label(), mean(scores), scores.length, split, scores, Map.of());
    }

    private static boolean stopped(String text, List<String> stop) {
        return !Metric.cutAtStop(text, stop).equals(text);
    }

    /** Greedy continuation of {@code prompt}, ended by EOS, {@code maxNewTokens} or a stop string (cut before it). */
    public String generateText(String prompt, int maxNewTokens, List<String> stop) {
        int[] ids = tokenizer.encode(prompt);
        int[] eos = tokenizer.eosTokenIds();
        int[] out = new int[0];
        while (out.length < maxNewTokens) {
            int want = stop.isEmpty() ? maxNewTokens - out.length : Math.min(GENERATE_CHUNK, maxNewTokens - out.length);
            int[] more = model.generate(concat(ids, out), want, eos);
            out = concat(out, more);
            boolean ended = more.length < want || (more.length > 0 && contains(eos, more[more.length - 1]));
            String text = tokenizer.decode(out);
            if (ended || !Metric.cutAtStop(text, stop).equals(text)) {
                break;
            }
        }
        return Metric.cutAtStop(tokenizer.decode(out), stop);
    }

    private TaskResult choice(Task task, TaskSplit split, List<TaskRow> rows) {
        double[] scores = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            TaskRow.Choice c = (TaskRow.Choice) rows.get(i);
            double[] ll = choiceLogLikelihoods(task.prefix() + c.prompt(), c.choices());
            int best = 0;
            for (int k = 1; k < ll.length; k++) {
                if (ll[k] > ll[best]) {
                    best = k;
                }
            }
            scores[i] = best == c.answer() ? 1 : 0;
        }
        return new TaskResult(task.name(), task.metric().label(), mean(scores), scores.length, split, scores, Map.of());
    }

    /**
     * For each choice, the summed log-probability of its tokens after {@code context}, all choices in one
     * forward pass.
     */
    public double[] choiceLogLikelihoods(String context, List<String> choices) {
        int[][] seqs = new int[choices.size()][];
        int[] starts = new int[choices.size()];
        for (int k = 0; k < seqs.length; k++) {
            Scored s = split(context, choices.get(k));
            seqs[k] = s.ids();
            starts[k] = s.start();
        }
        double[][] lp = model.logProbs(seqs);
        double[] sums = new double[seqs.length];
        for (int k = 0; k < seqs.length; k++) {
            // lp[k][j] is log p(seq[j+1] | seq[..j]); continuation tokens start at index starts[k].
            for (int j = starts[k] - 1; j < lp[k].length; j++) {
                sums[k] += lp[k][j];
            }
        }
        return sums;
    }

    private TaskResult loglik(Task task, TaskSplit split, List<TaskRow> rows) {
        double[] perRow = new double[rows.size()];
        double total = 0;
        long tokens = 0;
        for (int from = 0; from < rows.size(); from += LOGLIK_BATCH) {
            int to = Math.min(rows.size(), from + LOGLIK_BATCH);
            int[][] seqs = new int[to - from][];
            int[] starts = new int[to - from];
            for (int i = from; i < to; i++) {
                Scored s = split(task.prefix(), ((TaskRow.Loglik) rows.get(i)).text());
                seqs[i - from] = s.ids();
                starts[i - from] = s.start();
            }
            double[][] lp = model.logProbs(seqs);
            for (int i = from; i < to; i++) {
                double sum = 0;
                int count = 0;
                for (int j = starts[i - from] - 1; j < lp[i - from].length; j++) {
                    sum += lp[i - from][j];
                    count++;
                }
                perRow[i] = sum / count;
                total += sum;
                tokens += count;
            }
        }
        double score = total / tokens;
        Map<String, Double> extra = new LinkedHashMap<>();
        extra.put("logprob_total", total);
        extra.put("tokens", (double) tokens);
        extra.put("perplexity", Math.exp(-score));
        return new TaskResult(task.name(), task.metric().label(), score, perRow.length, split, perRow, extra);
    }

    /** A tokenized context + continuation and the index of the first continuation token (always >= 1). */
    record Scored(int[] ids, int start) {
    }

    /**
     * Tokenizes {@code context + continuation} as one text, as the model would read it, and scores from the
     * first token that differs from the context's own tokenization: a token merged across the boundary
     * counts as continuation. Tokenizing the pieces apart would give SentencePiece tokenizers a spurious
     * word-start marker at the seam.
     */
    Scored split(String context, String continuation) {
        int[] whole = tokenizer.encode(context + continuation);
        int[] ctx = tokenizer.encode(context);
        int common = 0;
        while (common < ctx.length && common < whole.length && ctx[common] == whole[common]) {
            common++;
        }
        // The first token has no context to be predicted from; the last must stay scored.
        int start = Math.max(1, Math.min(common, whole.length - 1));
        if (whole.length < 2) {
            throw new IllegalArgumentException("'" + context + continuation + "' is a single token: nothing to score");
        }
        return new Scored(whole, start);
    }

    private static double mean(double[] xs) {
        return Arrays.stream(xs).average().orElse(Double.NaN);
    }

    private static boolean contains(int[] xs, int x) {
        for (int v : xs) {
            if (v == x) {
                return true;
            }
        }
        return false;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Override
    public String toString() {
        return "TaskRunner[" + tokenizer.file() + "]";
    }

}
