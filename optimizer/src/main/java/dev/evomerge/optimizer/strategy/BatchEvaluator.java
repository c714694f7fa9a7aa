package dev.evomerge.optimizer.strategy;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Scores a whole generation in one call (a GPU or a BLAS product scores many candidates at once). For
 * each candidate it returns its per-example scores, higher is better; a candidate's fitness is their
 * mean. Strategies that only need a scalar (GA, CMA-ES) use the mean; M2N2 uses the examples.
 *
 * {@snippet :
 * BatchEvaluator sphere = BatchEvaluator.ofScalar(x -> -java.util.Arrays.stream(x).map(v -> v * v).sum());
 * double[][] s = sphere.evaluate(java.util.List.of(new double[] {1, 2}));   // {{-5}}
 * }
 */
@FunctionalInterface
public interface BatchEvaluator {

    /** One row of per-example scores per genome, in the order given; rows of equal length. */
    double[][] evaluate(List<double[]> genomes);

    /**
     * The named objectives of each genome (all maximised), for multi-objective strategies. The search loop
     * answers task names, objectives its evaluator adds (such as {@code path_length}) and {@code fitness};
     * this default knows only {@code fitness}, the mean of {@link #evaluate}'s scores.
     */
    default double[][] objectives(List<double[]> genomes, List<String> names) {
        for (String n : names) {
            if (!n.equals("fitness")) {
                throw new IllegalArgumentException("objective '" + n + "' is unknown to this evaluator (only 'fitness')");
            }
        }
        double[][] scores = evaluate(genomes);
        double[][] out = new double[scores.length][names.size()];
        for (int i = 0; i < scores.length; i++) {
            java.util.Arrays.fill(out[i], fitness(scores[i]));
        }
        return out;
    }

    /** Lifts a scalar fitness (higher is better) to a batch evaluator with one "example". */
    static BatchEvaluator ofScalar(ToDoubleFunction<double[]> fitness) {
        return genomes -> {
            double[][] out = new double[genomes.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = new double[] {fitness.applyAsDouble(genomes.get(i))};
            }
            return out;
        };
    }

    /** Mean of the per-example scores; the fitness every strategy maximises. */
    static double fitness(double[] scores) {
        if (scores.length == 0) {
            throw new IllegalArgumentException("a candidate must have at least one example score");
        }
        double sum = 0;
        for (double s : scores) {
            sum += s;
        }
        return sum / scores.length;
    }
}
