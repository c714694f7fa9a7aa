package dev.evomerge.optimizer.strategy;

import java.util.List;

/**
 * Scores a whole generation on several objectives at once: for each genome one vector of objective
 * values, all maximised, of the same length for every genome. The multi-objective counterpart of
 * {@link BatchEvaluator}.
 *
 * {@snippet :
 * ObjectiveEvaluator schaffer = genomes -> genomes.stream()
 *     .map(x -> new double[] {-x[0] * x[0], -(x[0] - 2) * (x[0] - 2)})
 *     .toArray(double[][]::new);
 * }
 */
@FunctionalInterface
public interface ObjectiveEvaluator {

    /** One objective vector per genome, in the order given. */
    double[][] evaluate(List<double[]> genomes);
}
