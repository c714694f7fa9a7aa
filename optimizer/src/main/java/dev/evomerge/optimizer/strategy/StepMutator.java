package dev.evomerge.optimizer.strategy;

import io.jenetics.DoubleGene;
import io.jenetics.Mutator;
import java.util.random.RandomGenerator;

/**
 * Gaussian mutation whose standard deviation is a set fraction of the gene's range. Jenetics' own
 * {@code GaussianMutator} always uses a quarter of the range: on merge recipes that either wrecks a child (several
 * weights moved by 0.5) or, for the children it leaves alone, makes the population collapse onto copies of one
 * recipe, so the GA spent most of its evaluations rescoring it.
 */
final class StepMutator extends Mutator<DoubleGene, Double> {

    private final double step;

    /** Mutates with Jenetics' {@code probability} semantics, moving a gene by N(0, step * range). */
    StepMutator(double probability, double step) {
        super(probability);
        if (!(step > 0)) {
            throw new IllegalArgumentException("mutation step must be > 0, got " + step);
        }
        this.step = step;
    }

    @Override
    protected DoubleGene mutate(DoubleGene gene, RandomGenerator random) {
        double min = gene.min();
        double max = gene.max();
        double moved = gene.doubleValue() + random.nextGaussian() * step * (max - min);
        // DoubleGene's range is [min, max): keep a moved value inside it.
        return gene.newInstance(Math.clamp(moved, min, Math.nextDown(max)));
    }
}
