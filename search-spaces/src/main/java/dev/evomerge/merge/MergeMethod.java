package dev.evomerge.merge;

import dev.evomerge.checkpoint.DType;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A merge method with mergekit's name, parameters and semantics. One small final class per method (or per
 * configuration of the generalized task-arithmetic method), all listed in {@link MergeMethods}.
 *
 * {@snippet :
 * MergeMethod ties = MergeMethods.byName("ties");
 * ties.merge(inputs, out, DType.BF16);
 * }
 */
public interface MergeMethod {

    /** mergekit's {@code merge_method} name. */
    String name();

    /** Every parameter the method accepts; a recipe key outside this list is an error. */
    List<ParameterSpec> parameters();

    /** Whether {@code base_model} must be given. */
    boolean requiresBase();

    /**
     * Whether a recipe's {@code base_model}, when given, reaches the method as {@link MergeInputs#base()}; when
     * false it is merged as one more model (karcher counts it as an equal member, linear weighs it like any
     * other). Methods with an optional base (nuslerp, multislerp) say true without {@link #requiresBase()}.
     */
    default boolean takesBase() {
        return requiresBase();
    }

    /** The genes a search sets for this method, and how a genome's models and base model reach a recipe. */
    SearchGenes searchGenes();

    /** Whether the method accepts a parameter of this name. */
    default boolean accepts(String parameter) {
        return parameters().stream().anyMatch(p -> p.name().equals(parameter));
    }

    /**
     * Whether the result depends on {@link MergeInputs#seed()} (random masks, as DARE and DELLA draw). A cache of
     * merged tensors keys on the seed only for such methods, so deterministic merges are shared across recipes.
     */
    default boolean seeded() {
        return false;
    }

    /**
     * Whether, when the recipe sets no dtype, the output takes the promoted type of all inputs (float32 unless
     * they agree), as mergekit's methods that stack their inputs do, rather than the base's dtype.
     */
    default boolean promotesDtypes() {
        return false;
    }

    /**
     * Refuses inputs the method cannot merge (the wrong number of models, a parameter value mergekit would
     * refuse) with an {@link IllegalArgumentException} naming the tensor. The planner calls it for every tensor
     * before anything is merged, so a bad recipe fails in seconds rather than hours in; {@link #merge} calls it
     * too.
     */
    default void check(MergeInputs inputs) {
    }

    /**
     * Merges one tensor. Inputs all have the same shape; {@code out} holds exactly
     * {@code elementCount * outType.byteSize()} bytes and receives the result in {@code outType}.
     */
    void merge(MergeInputs inputs, MemorySegment out, DType outType);
}
