package dev.evomerge.optimizer.cluster;

import java.util.Objects;

/**
 * One task's outcome for one candidate, as a worker sends it back: the task's score and its per-example scores.
 *
 * @param name the task's name
 * @param score the task's score
 * @param examples per-example scores, in row order
 */
public record TaskScore(String name, double score, double[] examples) {
    public TaskScore {
        Objects.requireNonNull(name, "name");
        examples = examples.clone();
    }

    @Override
    public double[] examples() {
        return examples.clone();
    }
}
