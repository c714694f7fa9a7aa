package dev.evomerge.optimizer.strategy;

import java.util.List;
import java.util.Objects;

/**
 * A {@link GeneticAlgorithm} snapshot: the last population (genes, fitness, birth generation), the
 * generation counter and the RNG state.
 *
 * {@snippet :
 * GaState s = ga.state();
 * GeneticAlgorithm again = GeneticAlgorithm.restore(settings, evaluator, s);
 * }
 *
 * @param genomes population genes
 * @param fitness fitness per member (mean per-example score)
 * @param births generation each member was created in (Jenetics ages phenotypes from it)
 * @param generation last completed generation
 * @param evaluations genomes evaluated
 * @param rng generator state
 */
public record GaState(
        List<double[]> genomes, double[] fitness, long[] births, long generation, long evaluations, long[] rng) {
    public GaState {
        genomes = List.copyOf(genomes);
        Objects.requireNonNull(fitness, "fitness");
        Objects.requireNonNull(births, "births");
        Objects.requireNonNull(rng, "rng");
        if (fitness.length != genomes.size() || births.length != genomes.size()) {
            throw new IllegalArgumentException("GA state: " + genomes.size() + " genomes, " + fitness.length
                    + " fitness values, " + births.length + " birth generations");
        }
    }
}
