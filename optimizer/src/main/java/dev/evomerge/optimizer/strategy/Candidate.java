package dev.evomerge.optimizer.strategy;

import java.util.Objects;

/**
 * An evaluated genome: its per-example scores and their mean, the fitness (higher is better).
 *
 * {@snippet :
 * Candidate c = Candidate.of(new double[] {0.5}, new double[] {1, 0, 1});   // fitness 2/3
 * }
 *
 * @param genome real-valued genes (not copied: treat as read-only)
 * @param scores per-example scores (not copied: treat as read-only)
 * @param fitness the mean of {@code scores}
 */
public record Candidate(double[] genome, double[] scores, double fitness) {
    public Candidate {
        Objects.requireNonNull(genome, "genome");
        Objects.requireNonNull(scores, "scores");
    }

    public static Candidate of(double[] genome, double[] scores) {
        return new Candidate(genome, scores, BatchEvaluator.fitness(scores));
    }
}
