package dev.evomerge.optimizer.strategy;

import java.util.Objects;

/**
 * Everything a {@link RandomSearch} run needs to continue.
 *
 * @param incumbent best genome so far ({@code null} before the first tell)
 * @param incumbentScores its per-example scores ({@code null} with it)
 * @param step current hill-climbing step, as a fraction of each gene's range
 * @param generation completed ask/tell rounds
 * @param evaluations evaluated genomes (the seeds it started from not included)
 * @param rng generator state
 */
public record RandomSearchState(double[] incumbent, double[] incumbentScores, double step, long generation,
                                long evaluations, long[] rng) {
    public RandomSearchState {
        Objects.requireNonNull(rng, "rng");
        if ((incumbent == null) != (incumbentScores == null)) {
            throw new IllegalArgumentException("random search state: incumbent and its scores go together");
        }
    }
}
