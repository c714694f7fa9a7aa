package dev.evomerge.cli;

import dev.evomerge.eval.RecipeScorer;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.harness.ChatTemplate;
import dev.evomerge.eval.harness.HarnessTask;
import dev.evomerge.eval.task.Task;
import dev.evomerge.eval.task.TaskSplit;
import dev.evomerge.optimizer.cluster.CandidateJob;
import dev.evomerge.optimizer.cluster.ClusterWorker;
import dev.evomerge.optimizer.cluster.TaskScore;
import dev.evomerge.plan.MergedTensorCache;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a worker scores a candidate: parses its recipe, checks that it is the recipe the search named (same content
 * hash), and runs the run's tasks on this worker's device, through one merged-tensor cache kept across candidates.
 * The scorer is kept while the task settings stay the same (one run), and rebuilt when a new run's differ.
 *
 * {@snippet :
 * try (WorkerScoring scoring = new WorkerScoring(ComputeDevice.CPU, 1024, null)) {
 *     new ClusterWorker(hz, signer, scoring, System.err::println).run();
 * }
 * }
 */
final class WorkerScoring implements ClusterWorker.Scoring, AutoCloseable {

    private final ComputeDevice device;
    private final MergedTensorCache cache;
    private final Path workingDirOverride;
    private List<Object> settingsKey;
    private RecipeScorer scorer;

    /** @param workingDirOverride where relative paths resolve on this machine, or {@code null} for the search's folder */
    WorkerScoring(ComputeDevice device, long mergeCacheMb, Path workingDirOverride) {
        this.device = device;
        this.cache = MergedTensorCache.withBudgetMb(mergeCacheMb);
        this.workingDirOverride = workingDirOverride;
    }

    @Override
    public List<TaskScore> score(CandidateJob job) {
        Path workingDir = workingDirOverride != null ? workingDirOverride : Path.of(job.workingDir());
        MergeRecipe recipe = RecipeParser.parse(job.recipeYaml(), "candidate " + job.recipeHash());
        if (!recipe.contentHash().equals(job.recipeHash())) {
            throw new IllegalArgumentException("candidate " + job.recipeHash() + ": its recipe text hashes to "
                    + recipe.contentHash() + " here (a different evomerge version from the search's?)");
        }
        Map<String, MergeRecipe> merged = new HashMap<>();
        job.mergedModels().forEach((name, yaml) -> merged.put(name, RecipeParser.parse(yaml, name)));
        return SearchWiring.taskScores(scorer(job, workingDir).score(recipe, merged::get));
    }

    private RecipeScorer scorer(CandidateJob job, Path workingDir) {
        List<Object> key = List.of(job.tasks(), workingDir);
        if (!key.equals(settingsKey)) {
            closeScorer();
            CandidateJob.TaskSettings settings = job.tasks();
            HarnessTask.Options options = new HarnessTask.Options(
                    settings.dataDir().isEmpty() ? HarnessTask.Options.defaults().dataDir() : Path.of(settings.dataDir()),
                    settings.numFewshot());
            if (!settings.chatTemplateDir().isEmpty()) {
                options = options.withChatTemplate(ChatTemplate.load(workingDir.resolve(settings.chatTemplateDir())),
                        settings.fewshotAsMultiturn());
            }
            List<Task> tasks = new java.util.ArrayList<>();
            for (int i = 0; i < settings.files().size(); i++) {
                Path p = workingDir.resolve(settings.files().get(i));
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException(p + ": task file not found on this worker");
                }
                String metric = settings.metrics().get(i);
                tasks.add(Task.load(p, options).withScoreMetric(metric.isEmpty() ? null : metric));
            }
            scorer = new RecipeScorer(tasks, TaskSplit.SEARCH, settings.limit(), workingDir, device, cache);
            settingsKey = key;
        }
        return scorer;
    }

    @Override
    public void close() {
        closeScorer();
        cache.close();
    }

    private void closeScorer() {
        if (scorer != null) {
            scorer.close();
            scorer = null;
            settingsKey = null;
        }
    }
}
