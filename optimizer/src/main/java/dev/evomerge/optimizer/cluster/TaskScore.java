package dev.evomerge.optimizer.cluster;

import dev.evomerge.results.TaskMetrics;
import java.util.Objects;

/**
 * One task's outcome for one candidate, as a worker sends it back: the task's score, its per-example scores and
 * its metrics under their full names.
 *
 * @param name the task's name
 * @param score the task's score
 * @param examples per-example scores, in row order
 * @param metrics the task's metrics and the one {@code score} is; null where the scorer gives none
 */
public record TaskScore(String name, double score, double[] examples, TaskMetrics metrics) {
    public TaskScore {
        Objects.requireNonNull(name, "name");
        examples = examples.clone();
    }

    /** A task's outcome without its metrics' names. */
    public TaskScore(String name, double score, double[] examples) {
        this(name, score, examples, null);
    }

    @Override
    public double[] examples() {
        return examples.clone();
    }
}
