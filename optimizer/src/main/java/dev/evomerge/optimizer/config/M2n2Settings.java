package dev.evomerge.optimizer.config;

/**
 * The optional {@code search.m2n2:} section: M2N2's mechanisms on merge recipes, each of which can be turned off
 * to measure what it brings.
 *
 * @param alpha      resource-competition exponent (0: no competition)
 * @param attraction whether the second parent is drawn by attraction to the first
 * @param splitPoint whether the mixing ratio flips at a random gene index (over the layer order)
 * @param crossover  whether children are crossed over (else mutated copies)
 * @param mutation   Gaussian mutation, as a fraction of the mean gene range
 * @param children   children per generation
 */
public record M2n2Settings(double alpha, boolean attraction, boolean splitPoint, boolean crossover, double mutation,
                           int children) {

    /**
     * The defaults a search uses. Resource competition is off: on merge recipes it kept single-expert members in
     * the archive and lost 2.5-2.8 test points on each of three zoos against alpha 0 (docs/benchmarks.md).
     */
    public static final M2n2Settings DEFAULT = new M2n2Settings(0.0, true, true, true, 0.05, 4);

    public M2n2Settings {
        if (!(alpha >= 0) || !(mutation >= 0) || Double.isInfinite(alpha) || Double.isInfinite(mutation)) {
            throw new IllegalArgumentException("search.m2n2: alpha and mutation must be finite numbers >= 0");
        }
        if (children < 1) {
            throw new IllegalArgumentException("search.m2n2.children: must be >= 1, got " + children);
        }
    }
}
