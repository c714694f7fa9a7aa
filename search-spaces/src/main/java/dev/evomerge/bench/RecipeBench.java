package dev.evomerge.bench;

import dev.evomerge.plan.MergeExecutor;
import dev.evomerge.plan.Merger;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import java.nio.file.Path;

/**
 * Merges one recipe several times in one JVM and prints each run's wall time. The first run pays for
 * compiling the Vector API kernels; later runs show what a search, which merges in-process again and again,
 * gets. Usage: {@code RecipeBench RECIPE.yaml OUT_DIR [REPS]}.
 */
public final class RecipeBench {

    private RecipeBench() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: RecipeBench RECIPE.yaml OUT_DIR [REPS]");
            System.exit(2);
        }
        MergeRecipe recipe = RecipeParser.parse(Path.of(args[0]));
        Path out = Path.of(args[1]);
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        var options = new Merger.Options(Merger.Options.defaults().maxShardBytes(), true);
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            Merger.merge(recipe, Path.of(""), out, options, MergeExecutor.Progress.NONE);
            System.out.printf("%s run %d: %.2f s%n", recipe.mergeMethod(), i + 1, (System.nanoTime() - start) / 1e9);
        }
    }
}
