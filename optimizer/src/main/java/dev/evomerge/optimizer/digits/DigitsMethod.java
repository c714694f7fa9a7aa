package dev.evomerge.optimizer.digits;

import dev.evomerge.optimizer.strategy.M2n2Config;

/**
 * The methods of the M2N2 paper's digits table: M2N2, its ablations, the GA baseline (M2N2 with
 * alpha 0 and no attraction, as in SakanaAI/natural_niches) and CMA-ES.
 *
 * {@snippet :
 * M2n2Config c = DigitsMethod.M2N2_NO_SPLITPOINT.m2n2();
 * }
 */
public enum DigitsMethod {
    M2N2("m2n2"),
    M2N2_NO_CROSSOVER("m2n2-no-crossover"),
    M2N2_NO_SPLITPOINT("m2n2-no-splitpoint"),
    M2N2_NO_ATTRACTION("m2n2-no-attraction"),
    GA("ga"),
    CMA_ES("cma-es");

    private final String label;

    DigitsMethod(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static DigitsMethod byLabel(String label) {
        for (DigitsMethod m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown digits method: " + label);
    }

    /** The archive strategy's settings, or an exception for CMA-ES. */
    public M2n2Config m2n2() {
        M2n2Config paper = M2n2Config.paper();
        return switch (this) {
            case M2N2 -> paper;
            case M2N2_NO_CROSSOVER -> paper.withoutCrossover();
            case M2N2_NO_SPLITPOINT -> paper.withoutSplitPoint();
            case M2N2_NO_ATTRACTION -> paper.withoutAttraction();
            case GA -> paper.gaBaseline();
            case CMA_ES -> throw new IllegalArgumentException("CMA-ES has no archive settings");
        };
    }
}
