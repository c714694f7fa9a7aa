package dev.evomerge.plan;

import dev.evomerge.checkpoint.CheckpointWriter;
import dev.evomerge.recipe.MergeRecipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Materialises a recipe as a Hugging Face model directory: plan (every check), then write into a temporary
 * directory, then rename. A recipe that fails at any step leaves nothing at the output path.
 *
 * {@snippet :
 * Merger.merge(RecipeParser.parse(Path.of("recipe.yaml")), Path.of("."), Path.of("merged"),
 *         Merger.Options.defaults(), MergeExecutor.Progress.NONE);
 * }
 */
public final class Merger {

    /**
     * @param maxShardBytes safetensors files are split above this size
     * @param overwrite     replace an existing output directory (atomically) instead of refusing
     */
    public record Options(long maxShardBytes, boolean overwrite) {
        public Options {
            if (maxShardBytes <= 0) {
                throw new IllegalArgumentException("the shard size limit must be positive, got " + maxShardBytes);
            }
        }

        public static Options defaults() {
            return new Options(CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, false);
        }
    }

    private Merger() {
    }

    /** Merges; model paths in the recipe are relative to {@code workingDir}. Returns the plan that was run. */
    public static MergePlan merge(MergeRecipe recipe, Path workingDir, Path out, Options options,
                                  MergeExecutor.Progress progress) {
        MergePlanner.validate(recipe);
        try (ModelSet models = ModelSet.open(recipe, workingDir)) {
            refuseToReplaceInputs(out, models, workingDir);
            MergePlan plan = MergePlanner.plan(recipe, models);
            try (CheckpointWriter writer = CheckpointWriter.create(out, options.overwrite())) {
                writer.layout(plan.outputs(), options.maxShardBytes());
                try (StagedOutput target = new StagedOutput(writer, plan, StagedOutput.DEFAULT_BUFFER_BYTES)) {
                    MergeExecutor.run(plan, models, target, progress);
                }
                writer.writeConfig(plan.outputConfig(), plan.outDtype());
                writer.copyTokenizer(models.checkpoint(plan.tokenizerModel()).dir());
                writer.writeModelCard(recipe.toYaml());
                writer.commit();
            }
            return plan;
        }
    }

    /**
     * An output at or above an input model, or above the working directory, would replace it on commit (with
     * overwrite) or be refused only after the whole merge (without): both are refused before anything runs.
     */
    static void refuseToReplaceInputs(Path out, ModelSet models, Path workingDir) {
        Path target = real(out);
        for (String name : models.names()) {
            Path input = real(models.checkpoint(name).dir());
            if (input.startsWith(target)) {
                boolean samePath = input.equals(target) || input.toString().equals(name);
                throw new IllegalArgumentException(out + ": the output would replace input model '" + name + "'"
                        + (samePath ? "" : " (" + input + ")") + "; choose another --out");
            }
        }
        if (real(workingDir).startsWith(target)) {
            throw new IllegalArgumentException(out + ": the output would replace the working directory; choose"
                    + " another --out");
        }
    }

    /** The path with links resolved as far as it exists, so two spellings of one directory compare equal. */
    private static Path real(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(abs));
        } catch (IOException e) {
            return abs;
        }
    }
}
