package dev.evomerge.optimizer.strategy;

import io.jenetics.DoubleGene;
import io.jenetics.Mutator;
import java.util.random.RandomGenerator;

/**
 * Gaussian mutation around the gene's value, with a standard deviation that is a set fraction of its range.
 * Jenetics' own {@code GaussianMutator} draws a mutated gene anew from a Gaussian over the whole range, centred on
 * its middle, whatever the gene's value was: on merge recipes that wrecks the children it touches, the others are
 * crossovers of near-copies, and the population collapsed onto one recipe that the GA kept rescoring.
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
