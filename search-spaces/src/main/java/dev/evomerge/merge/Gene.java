package dev.evomerge.merge;

import java.util.Objects;

/**
 * One gene a search sets for a merge method: a parameter of the recipe (a model's {@code weight}, a slice's
 * {@code select_topk}) or a score that only decides which models take part.
 *
 * {@snippet :
 * Gene weight = Gene.parameter("weight", 0, 1).allowingNegative();   // [-1, 1] with allow_negative_weights
 * Gene pick = Gene.score();                                  // the highest-scoring models are merged
 * }
 *
 * @param name     the recipe parameter it sets, or {@code "score"} for a selection score
 * @param lower    inclusive lower bound
 * @param upper    upper bound
 * @param kind     whether the value is written to the recipe
 * @param signable whether {@code allow_negative_weights} extends the range to {@code [-upper, upper]}
 */
public record Gene(String name, double lower, double upper, Kind kind, boolean signable) {

    public enum Kind {
        /** Written to the recipe under {@link #name()}. */
        PARAMETER,
        /** Only ranks the models: the highest-scoring ones take part, as the method's selection says. */
        SCORE
    }

    public Gene {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (!(lower < upper)) {
            throw new IllegalArgumentException("gene '" + name + "': lower " + lower + " must be below upper " + upper);
        }
    }

    public static Gene parameter(String name, double lower, double upper) {
        return new Gene(name, lower, upper, Kind.PARAMETER, false);
    }

    /** A selection score over [0, 1]. */
    public static Gene score() {
        return new Gene("score", 0, 1, Kind.SCORE, false);
    }

    /** The same gene, extended to negative values when the genome allows negative weights. */
    public Gene allowingNegative() {
        return new Gene(name, lower, upper, kind, true);
    }

    /** The lower bound a genome uses. */
    public double lower(boolean allowNegative) {
        return signable && allowNegative ? -upper : lower;
    }
}
