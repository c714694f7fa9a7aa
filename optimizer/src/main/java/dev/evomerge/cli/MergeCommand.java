package dev.evomerge.cli;

import dev.evomerge.checkpoint.CheckpointWriter;
import dev.evomerge.plan.MergePlan;
import dev.evomerge.plan.Merger;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code evomerge merge RECIPE.yaml --out DIR}: runs a mergekit recipe and writes the merged model. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge checkpoints with a mergekit recipe (YAML) into a Hugging Face model directory.")
final class MergeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RECIPE.yaml", description = "mergekit merge configuration")
    private Path recipeFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output model directory")
    private Path out;

    @Option(names = "--overwrite", description = "replace DIR if it exists (atomically, after the merge succeeds)")
    private boolean overwrite;

    @Option(names = "--max-shard-size", paramLabel = "BYTES",
            description = "split safetensors files above this size (default: ${DEFAULT-VALUE})")
    private long maxShardBytes = CheckpointWriter.DEFAULT_MAX_SHARD_BYTES;

    @Option(names = "--quiet", description = "no progress bar")
    private boolean quiet;

    @Override
    public Integer call() {
        if (out.toString().isBlank()) {
            throw new IllegalArgumentException("--out is empty");
        }
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("--max-shard-size must be positive, got " + maxShardBytes);
        }
        MergeRecipe recipe = RecipeParser.parse(recipeFile);
        if (!recipe.layerPath().isEmpty()) {
            // A hop's scale multiplies the residual stream; no Hugging Face architecture has a place for it.
            throw new IllegalArgumentException(recipeFile + ": layer_path: a layer-routed recipe cannot be written as"
                    + " a checkpoint (its per-step scales have no place in one); score it with 'evomerge eval "
                    + recipeFile + " --task T.yaml'");
        }
        long start = System.nanoTime();
        // The bar starts with the first merged tensor, so an input error is reported on a clean line.
        ProgressLine[] bar = new ProgressLine[1];
        MergePlan plan;
        try {
            plan = Merger.merge(recipe, Path.of("").toAbsolutePath(), out,
                    new Merger.Options(maxShardBytes, overwrite),
                    (done, total, tensor) -> {
                        if (quiet) {
                            return;
                        }
                        if (bar[0] == null) {
                            bar[0] = progressBar(total);
                        }
                        bar[0].stepTo(done);
                    });
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("merged %d tensors (%.1f MB, %s) with %s in %.2f s -> %s%n", plan.tasks().size(),
                plan.outputBytes() / 1e6, plan.outDtype().torchName(), recipe.mergeMethod(), seconds, out);
        return 0;
    }

    private static ProgressLine progressBar(long totalBytes) {
        // In whole units, so a merge of a few MB would read 0/0 MB throughout.
        boolean small = totalBytes < 10_000_000;
        return ProgressLine.open("merge", totalBytes,
                new ProgressLine.Unit(small ? "kB" : "MB", small ? 1_000 : 1_000_000, true));
    }
}
