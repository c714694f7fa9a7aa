package dev.evomerge.eval.task;

import java.util.Map;
import java.util.Objects;

/**
 * A task's score on one split: the mean, the per-row scores behind it (the optimizer's M2N2 compares
 * candidates row by row) and extra figures ({@code logprob_total}, {@code tokens}, {@code perplexity} for
 * loglik tasks).
 *
 * {@snippet :
 * TaskResult r = runner.run(task, TaskSplit.SEARCH, 0);
 * double acc = r.score();
 * double first = r.perExample()[0];   // 1 or 0 for choice / generate rows
 * }
 *
 * @param metric     the full name of the metric {@code score} is: lm-evaluation-harness's ({@code acc_norm,none}) for
 *                   its tasks, the task file's {@code metric} ({@code accuracy}) for evomerge's own
 * @param score      the task's metric: mean per-row score, or for loglik the token-weighted mean log-prob
 * @param n          rows scored
 * @param perExample one score per row, in file order (for loglik each row's own mean log-prob per token)
 * @param extra      for lm-evaluation-harness tasks every metric the task reports, under its full name and as
 *                   reported; for evomerge's own loglik tasks the figures behind the score
 */
public record TaskResult(String name, String metric, double score, int n, TaskSplit split, double[] perExample,
                         Map<String, Double> extra) {

    public TaskResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(split, "split");
        perExample = perExample.clone();
        extra = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extra));   // metrics in the order the task lists them
        if (perExample.length != n) {
            throw new IllegalArgumentException("perExample has " + perExample.length + " scores for " + n + " rows");
        }
    }

    /**
     * The task's metrics under their full names, as reported: all of an lm-evaluation-harness task's (where a
     * perplexity is the perplexity, while {@code score} is its negation), the one metric of evomerge's own.
     */
    public Map<String, Double> metrics() {
        return extra.containsKey(metric) ? extra : Map.of(metric, score);
    }

    @Override
    public double[] perExample() {
        return perExample.clone();
    }
}
