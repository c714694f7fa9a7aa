package dev.evomerge.merge;

import java.util.List;
import java.util.Objects;

/**
 * What a search may set for a merge method, as the method declares it: the genes each model gets per layer
 * group (and filter set), the genes each group gets for the method's global parameters, how the genome's
 * models become the merge's models, and what the base model is to it. The genome, the parameter space and the
 * search config's checks read this; none of them knows a method by name.
 *
 * {@snippet :
 * SearchGenes genes = MergeMethods.byName("sce").searchGenes();
 * genes.perGroup();   // [select_topk in [0, 1]]
 * }
 *
 * @param perModel  genes per (group, model, filter set), in order; the first one ranks models under a
 *                  {@link Selection.Highest} selection
 * @param perGroup  genes per (group, filter set) for global parameters
 * @param selection which of the genome's models a slice merges
 * @param base      whether the genome must name a base model, may, or hands the method none
 * @param normalize mergekit-evolve's {@code normalize} for the method when the genome sets none, or
 *                  {@code null} when the method has no {@code normalize} parameter
 */
public record SearchGenes(List<Gene> perModel, List<Gene> perGroup, Selection selection, BaseUse base,
                          Boolean normalize) {

    /** How a genome's base model reaches the recipe. */
    public enum BaseUse {
        /** The genome must name one; it is the recipe's base model. */
        REQUIRED,
        /** A named one is the recipe's base model. */
        OPTIONAL,
        /** The recipe has no base model at the top (the method takes none, or the selection names one per slice). */
        NONE
    }

    /** Which of the genome's models a slice merges. */
    public sealed interface Selection {

        /** Fewest models a genome must list. */
        int minModels();

        /** Every model takes part. */
        record Every(int minModels) implements Selection {
        }

        /**
         * The {@code count} models whose first per-model gene is highest in the group (on a tie the earlier
         * model); the others are left out of that slice.
         */
        record Highest(int count) implements Selection {
            @Override
            public int minModels() {
                return count;
            }
        }

        /**
         * The models whose first per-model gene is at least 0.5 (a score saying "take part"), topped up with the
         * highest-scoring others to {@code min}; for methods without per-model parameters, whose search is over
         * which models join. With exactly {@code min} models the scores change nothing.
         */
        record Members(int min) implements Selection {
            @Override
            public int minModels() {
                return min;
            }
        }

        /**
         * mergekit-evolve's slerp: the two models with the highest gene; the higher one is the slice's base and
         * {@code t} is the softmax of the two genes' second entry. Supports neither filters nor smoothing.
         */
        record SoftmaxPair() implements Selection {
            @Override
            public int minModels() {
                return 2;
            }
        }
    }

    public SearchGenes {
        perModel = List.copyOf(perModel);
        perGroup = List.copyOf(perGroup);
        Objects.requireNonNull(selection, "selection");
        Objects.requireNonNull(base, "base");
        if (perModel.isEmpty() && perGroup.isEmpty()) {
            throw new IllegalArgumentException("a searchable method needs at least one gene");
        }
        if (!(selection instanceof Selection.Every) && perModel.isEmpty()) {
            throw new IllegalArgumentException("a selection needs a per-model gene to rank the models by");
        }
    }

    /**
     * One line saying which genes a genome gets, e.g. {@code "per model: weight [0, 1]; per group: t [0, 0.01];
     * the 1 highest-scoring model(s) per group; base_model required"}.
     */
    public String describe() {
        List<String> parts = new java.util.ArrayList<>();
        if (!perModel.isEmpty()) {
            parts.add("per model: " + String.join(", ", perModel.stream().map(SearchGenes::describe).toList()));
        }
        if (!perGroup.isEmpty()) {
            parts.add("per group: " + String.join(", ", perGroup.stream().map(SearchGenes::describe).toList()));
        }
        parts.add(switch (selection) {
            case Selection.Every e -> "every model";
            case Selection.Highest h -> "the " + h.count() + " highest-" + perModel.getFirst().name()
                    + " model(s) per group";
            case Selection.Members m -> "models scoring >= 0.5 per group (at least " + m.min() + ")";
            case Selection.SoftmaxPair p -> "the 2 highest per group, t = softmax of their genes";
        });
        parts.add("base_model " + base.name().toLowerCase(java.util.Locale.ROOT).replace("none", "unused"));
        return String.join("; ", parts);
    }

    private static String describe(Gene g) {
        String range = "[" + fmt(g.lower()) + ", " + fmt(g.upper()) + "]";
        return g.name() + " " + range + (g.signable() ? " (or [-" + fmt(g.upper()) + ", " + fmt(g.upper()) + "])" : "");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** Every model takes part, each with the given genes. */
    public static SearchGenes everyModel(BaseUse base, Boolean normalize, Gene... perModel) {
        return new SearchGenes(List.of(perModel), List.of(), new Selection.Every(1), base, normalize);
    }

    /** The same genes with per-group genes for global parameters. */
    public SearchGenes withGroupGenes(Gene... genes) {
        return new SearchGenes(perModel, List.of(genes), selection, base, normalize);
    }

    /** The same genes with another selection. */
    public SearchGenes selecting(Selection s) {
        return new SearchGenes(perModel, perGroup, s, base, normalize);
    }
}
