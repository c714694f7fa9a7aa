package dev.evomerge.optimizer.run;

import dev.evomerge.recipe.MergeRecipe;
import java.util.List;

/**
 * Scores recipes in one batch (merges, runs the tasks' search split). The search loop calls it once per
 * generation with the recipes the fitness cache does not know yet, each distinct.
 *
 * {@snippet :
 * RecipeEvaluator e = recipes -> recipes.stream().map(r -> realEvaluator.score(r)).toList();
 * }
 */
@FunctionalInterface
public interface RecipeEvaluator {

    /** One result per recipe, in the order given. */
    List<CandidateScores> evaluate(List<MergeRecipe> recipes);
}
