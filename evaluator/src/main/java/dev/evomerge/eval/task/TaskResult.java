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
 * @param score      the task's metric: mean per-row score, or for loglik the token-weighted mean log-prob
 * @param n          rows scored
 * @param perExample one score per row, in file order (for loglik each row's own mean log-prob per token)
 */
public record TaskResult(String name, double score, int n, TaskSplit split, double[] perExample,
                         Map<String, Double> extra) {

    public TaskResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(split, "split");
        perExample = perExample.clone();
        extra = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extra));   // metrics in the order the task lists them
        if (perExample.length != n) {
            throw new IllegalArgumentException("perExample has " + perExample.length + " scores for " + n + " rows");
        }
    }

    @Override
    public double[] perExample() {
        return perExample.clone();
    }
}
