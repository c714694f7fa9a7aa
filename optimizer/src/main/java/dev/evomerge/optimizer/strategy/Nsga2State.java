package dev.evomerge.optimizer.strategy;

import java.util.List;
import java.util.Objects;

/**
 * An {@link Nsga2} snapshot: the last population (genes, objective vectors, birth generation), the
 * counters and the RNG state.
 *
 * {@snippet :
 * Nsga2State s = nsga2.state();
 * Nsga2 again = Nsga2.restore(settings, evaluator, s);
 * }
 *
 * @param genomes population genes
 * @param objectives objective vector per member (maximised)
 * @param births generation each member was created in
 * @param generation last completed generation
 * @param evaluations genomes evaluated
 * @param rng generator state
 */
public record Nsga2State(
        List<double[]> genomes, List<double[]> objectives, long[] births, long generation, long evaluations,
        long[] rng) {
    public Nsga2State {
        genomes = List.copyOf(genomes);
        objectives = List.copyOf(objectives);
        Objects.requireNonNull(births, "births");
        Objects.requireNonNull(rng, "rng");
        if (objectives.size() != genomes.size() || births.length != genomes.size()) {
            throw new IllegalArgumentException("NSGA-II state: " + genomes.size() + " genomes, " + objectives.size()
                    + " objective vectors, " + births.length + " birth generations");
        }
    }
}
