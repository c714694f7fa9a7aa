package dev.evomerge.optimizer.strategy;

import java.util.List;
import java.util.Objects;

/**
 * Everything an M2N2 run needs to continue: the archive (genomes and per-example scores), seeds not yet
 * evaluated, counters and the RNG.
 *
 * {@snippet :
 * M2n2State s = m2n2.state();
 * M2n2 again = M2n2.restore(config, s);
 * }
 *
 * @param genomes archive genomes
 * @param scores per-example scores, one row per archive member
 * @param pendingSeeds initial genomes still to be evaluated
 * @param generation completed ask/tell rounds
 * @param evaluations evaluated genomes
 * @param rng generator state
 */
public record M2n2State(
        List<double[]> genomes, List<double[]> scores, List<double[]> pendingSeeds, long generation,
        long evaluations, long[] rng) {
    public M2n2State {
        genomes = List.copyOf(genomes);
        scores = List.copyOf(scores);
        pendingSeeds = List.copyOf(pendingSeeds);
        Objects.requireNonNull(rng, "rng");
        if (genomes.size() != scores.size()) {
            throw new IllegalArgumentException("M2N2 state has " + genomes.size() + " genomes but " + scores.size() + " score rows");
        }
    }
}
