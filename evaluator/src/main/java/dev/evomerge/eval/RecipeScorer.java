package dev.evomerge.eval;

import dev.evomerge.eval.harness.ContextWarnings;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.task.Task;
import dev.evomerge.eval.task.TaskResult;
import dev.evomerge.eval.task.TaskRunner;
import dev.evomerge.eval.task.TaskSplit;
import dev.evomerge.eval.tokenizer.ModelTokenizer;
import dev.evomerge.plan.MergedTensorCache;
import dev.evomerge.recipe.MergeRecipe;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Scores recipes on a fixed set of tasks and one split: each recipe is merged (or routed) in memory, run, and
 * released before the next. Tokenizers are loaded once per directory. Not thread-safe.
 *
 * {@snippet :
 * try (RecipeScorer scorer = new RecipeScorer(tasks, TaskSplit.SEARCH, 0, Path.of("."), ComputeDevice.AUTO)) {
 *     Map<String, TaskResult> byTask = scorer.score(recipe);
 * }
 * }
 */
public final class RecipeScorer implements AutoCloseable {

    private final List<Task> tasks;
    private final TaskSplit split;
    private final int limit;
    private final Path workingDir;
    private final ComputeDevice device;
    private final MergedTensorCache mergeCache;
    private final Map<Path, ModelTokenizer> tokenizers = new HashMap<>();
    /** One for the scorer's life, so that a task too long for the model is said once, not once per recipe. */
    private final ContextWarnings contextWarnings = ContextWarnings.toStandardError();

    /** @param limit at most this many rows per task (0: all) */
    public RecipeScorer(List<Task> tasks, TaskSplit split, int limit, Path workingDir, ComputeDevice device) {
        this(tasks, split, limit, workingDir, device, MergedTensorCache.disabled());
    }

    /**
     * As above, with merged tensors shared between recipes through {@code mergeCache}. The caller owns the cache
     * (and reads its {@link MergedTensorCache#stats()}); closing the scorer leaves it open.
     */
    public RecipeScorer(List<Task> tasks, TaskSplit split, int limit, Path workingDir, ComputeDevice device,
            MergedTensorCache mergeCache) {
        this.mergeCache = java.util.Objects.requireNonNull(mergeCache, "mergeCache");
        this.tasks = List.copyOf(tasks);
        this.split = split;
        this.limit = limit;
        this.workingDir = workingDir;
        this.device = device;
    }

    /** Each task's result (score and per-example scores), by task name, in task order. */
    public Map<String, TaskResult> score(MergeRecipe recipe) {
        return score(recipe, name -> null);
    }

    /**
     * As {@link #score(MergeRecipe)}, where layer-path models that {@code mergedModels} resolves to a recipe are
     * merged in memory first (see {@link EvalTarget#forRecipe(MergeRecipe, Function, Path, Path, ComputeDevice)}).
     */
    public Map<String, TaskResult> score(MergeRecipe recipe, Function<String, MergeRecipe> mergedModels) {
        Map<String, TaskResult> results = new LinkedHashMap<>();
        try (EvalTarget target = EvalTarget.forRecipe(recipe, mergedModels, workingDir.resolve("recipe-"
                + recipe.contentHash().substring(0, 12)), workingDir, device, mergeCache)) {
            ModelTokenizer tokenizer = tokenizers.computeIfAbsent(target.tokenizerDir(), ModelTokenizer::load);
            TaskRunner runner = new TaskRunner(target.model(), tokenizer, contextWarnings);
            for (Task task : tasks) {
                results.put(task.name(), runner.run(task, split, limit));
            }
        }
        return results;
    }

    public List<Task> tasks() {
        return tasks;
    }

    /** The cache merged tensors go through (a disabled one when none was given). */
    public MergedTensorCache mergeCache() {
        return mergeCache;
    }

    @Override
    public void close() {
        tokenizers.values().forEach(ModelTokenizer::close);
        tokenizers.clear();
    }
}
