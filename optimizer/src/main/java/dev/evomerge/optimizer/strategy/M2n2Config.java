package dev.evomerge.optimizer.strategy;

/**
 * Settings of {@link M2n2}, with the paper's defaults and its ablations as named variants.
 *
 * {@snippet :
 * M2n2Config paper = M2n2Config.paper();                 // alpha 1, attraction, split-point SLERP, sigma 0.01
 * M2n2Config ga = M2n2Config.paper().gaBaseline();       // alpha 0, no attraction
 * M2n2Config noSplit = M2n2Config.paper().withoutSplitPoint();
 * }
 *
 * @param archiveSize members kept
 * @param alpha resource-competition exponent (0 = no competition)
 * @param crossover whether children are crossed over (else a child is a mutated copy of parent A)
 * @param splitPoint whether the mixing ratio flips from w to 1-w at a random gene index
 * @param attraction whether parent B is drawn by attraction to A (else by fitness, like A)
 * @param interpolation how two parents are mixed
 * @param mutationSigma standard deviation of additive Gaussian mutation (0 = none)
 * @param childrenPerGeneration children proposed per ask, all drawn from the same archive (1 = the
 *     paper's steady state)
 */
public record M2n2Config(
        int archiveSize, double alpha, boolean crossover, boolean splitPoint, boolean attraction,
        Interpolation interpolation, double mutationSigma, int childrenPerGeneration) {

    /** How crossover mixes two parent vectors. */
    public enum Interpolation { LINEAR, SLERP }

    public M2n2Config {
        if (archiveSize < 2) {
            throw new IllegalArgumentException("M2N2 archive size must be at least 2: " + archiveSize);
        }
        if (!(alpha >= 0) || !(mutationSigma >= 0)) {
            throw new IllegalArgumentException("M2N2 alpha and mutation sigma must be >= 0: " + alpha + ", " + mutationSigma);
        }
        if (childrenPerGeneration < 1) {
            throw new IllegalArgumentException("M2N2 needs at least one child per generation: " + childrenPerGeneration);
        }
        java.util.Objects.requireNonNull(interpolation, "interpolation");
    }

    /** Abrantes, Lange and Tang 2025, digits from scratch: archive 20, alpha 1, split-point SLERP, sigma 0.01. */
    public static M2n2Config paper() {
        return new M2n2Config(20, 1.0, true, true, true, Interpolation.SLERP, 0.01, 1);
    }

    public M2n2Config withoutCrossover() {
        return new M2n2Config(archiveSize, alpha, false, splitPoint, attraction, interpolation, mutationSigma, childrenPerGeneration);
    }

    public M2n2Config withoutSplitPoint() {
        return new M2n2Config(archiveSize, alpha, crossover, false, attraction, interpolation, mutationSigma, childrenPerGeneration);
    }

    public M2n2Config withoutAttraction() {
        return new M2n2Config(archiveSize, alpha, crossover, splitPoint, false, interpolation, mutationSigma, childrenPerGeneration);
    }

    /** The paper's GA baseline: no competition (alpha 0) and no attraction. */
    public M2n2Config gaBaseline() {
        return new M2n2Config(archiveSize, 0.0, crossover, splitPoint, false, interpolation, mutationSigma, childrenPerGeneration);
    }

    public M2n2Config withMutationSigma(double sigma) {
        return new M2n2Config(archiveSize, alpha, crossover, splitPoint, attraction, interpolation, sigma, childrenPerGeneration);
    }

    public M2n2Config withChildrenPerGeneration(int children) {
        return new M2n2Config(archiveSize, alpha, crossover, splitPoint, attraction, interpolation, mutationSigma, children);
    }

    public M2n2Config withInterpolation(Interpolation how) {
        return new M2n2Config(archiveSize, alpha, crossover, splitPoint, attraction, how, mutationSigma, childrenPerGeneration);
    }
}
