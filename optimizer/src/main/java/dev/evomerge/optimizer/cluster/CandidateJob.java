package dev.evomerge.optimizer.cluster;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One candidate as a worker receives it: the recipe as YAML text (and the merge recipes its layer path's
 * {@code merged:} models stand for), plus the run's task settings. Paths are as the search sees them; a relative
 * path resolves against the worker's working folder, which defaults to the search's.
 *
 * @param recipeHash the recipe's content hash, which names the candidate
 * @param recipeYaml the recipe
 * @param mergedModels merge recipes (YAML) by the layer-path model name they stand for; empty for plain recipes
 * @param taskFiles the run's task files
 * @param limit at most this many rows per task (0: all)
 * @param workingDir the search's working folder
 * @param taskMetrics per task file, the metric its fitness takes ({@code ""}: the task's first)
 * @param dataDir where hub-named task data is looked up ({@code ""}: the worker's own setting)
 * @param numFewshot few-shot examples per prompt for every task ({@code -1}: each task's own)
 */
public record CandidateJob(String recipeHash, String recipeYaml, Map<String, String> mergedModels,
                           List<String> taskFiles, int limit, String workingDir, List<String> taskMetrics,
                           String dataDir, int numFewshot) {

    /** A job whose tasks take their own metric, data directory and few-shot count. */
    public CandidateJob(String recipeHash, String recipeYaml, Map<String, String> mergedModels, List<String> taskFiles,
            int limit, String workingDir) {
        this(recipeHash, recipeYaml, mergedModels, taskFiles, limit, workingDir,
                java.util.Collections.nCopies(taskFiles.size(), ""), "", -1);
    }

    public CandidateJob {
        Objects.requireNonNull(recipeHash, "recipeHash");
        Objects.requireNonNull(recipeYaml, "recipeYaml");
        mergedModels = Map.copyOf(mergedModels);
        taskFiles = List.copyOf(taskFiles);
        Objects.requireNonNull(workingDir, "workingDir");
        taskMetrics = List.copyOf(taskMetrics);
        if (taskMetrics.size() != taskFiles.size()) {
            throw new IllegalArgumentException("one metric per task file: " + taskMetrics.size() + " for "
                    + taskFiles.size());
        }
        Objects.requireNonNull(dataDir, "dataDir");
    }
}
