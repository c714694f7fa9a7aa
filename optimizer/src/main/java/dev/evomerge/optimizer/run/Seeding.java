package dev.evomerge.optimizer.run;

import dev.evomerge.optimizer.strategy.Candidate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The seed points a run evaluates before its strategy starts (the points a user would try by hand: the base
 * alone, each model alone, the default merge, the plain average), with their per-example scores. The strategy
 * is built from them: CMA-ES centres its first mean on the best, M2N2 fills its archive with them, the GA puts
 * them in its first population and the random search climbs from the best.
 *
 * @param candidates the evaluated seed points, in the order they were proposed
 */
public record Seeding(List<Candidate> candidates) {

    /** No seed points: the strategy starts as it would on its own. */
    public static final Seeding NONE = new Seeding(List.of());

    public Seeding {
        candidates = List.copyOf(candidates);
    }

    /** The best seed point (first of equals), or {@code null} without seeds. */
    public Candidate best() {
        Candidate best = null;
        for (Candidate c : candidates) {
            if (best == null || c.fitness() > best.fitness()) {
                best = c;
            }
        }
        return best;
    }

    /** At most {@code n} seed points, best first (ties in proposal order). */
    public List<Candidate> bestFirst(int n) {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble(Candidate::fitness).reversed());
        return sorted.subList(0, Math.min(n, sorted.size()));
    }
}
