package dev.evomerge.optimizer.cluster;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One candidate as a worker receives it: the recipe as YAML text (and the merge recipes its layer path's
 * {@code merged:} models stand for), plus the run's task settings. Paths are as the search sees them; a relative
 * path resolves against the worker's working folder, which defaults to the search's.
 *
 * {@snippet :
 * var job = new CandidateJob(recipe.contentHash(), recipe.toYaml(), Map.of(), "/work/run",
 *         CandidateJob.TaskSettings.of(List.of("tasks/gsm8k.yaml"), 50).withChatTemplate("models/base", true));
 * }
 *
 * @param recipeHash the recipe's content hash, which names the candidate
 * @param recipeYaml the recipe
 * @param mergedModels merge recipes (YAML) by the layer-path model name they stand for; empty for plain recipes
 * @param workingDir the search's working folder
 * @param tasks how the run's tasks are compiled and scored
 */
public record CandidateJob(String recipeHash, String recipeYaml, Map<String, String> mergedModels, String workingDir,
                           TaskSettings tasks) {

    /**
     * The run's task settings: the same for every candidate of a run, so a worker compiles its tasks once a run.
     *
     * @param files the run's task files
     * @param metrics per task file, the metric its fitness takes ({@code ""}: the task's first)
     * @param limit at most this many rows per task (0: all)
     * @param dataDir where hub-named task data is looked up ({@code ""}: the worker's own setting)
     * @param numFewshot few-shot examples per prompt for every task ({@code -1}: each task's own)
     * @param chatTemplateDir the model folder whose tokenizer's chat template renders lm-evaluation-harness prompts
     *                        ({@code ""}: none, prompts are plain text)
     * @param fewshotAsMultiturn with a chat template, each few-shot example as its own user and assistant turns
     */
    public record TaskSettings(List<String> files, List<String> metrics, int limit, String dataDir, int numFewshot,
                               String chatTemplateDir, boolean fewshotAsMultiturn) {
        public TaskSettings {
            files = List.copyOf(files);
            metrics = List.copyOf(metrics);
            if (metrics.size() != files.size()) {
                throw new IllegalArgumentException("one metric per task file: " + metrics.size() + " for "
                        + files.size());
            }
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(chatTemplateDir, "chatTemplateDir");
            if (fewshotAsMultiturn && chatTemplateDir.isEmpty()) {
                throw new IllegalArgumentException("fewshot_as_multiturn needs a chat template");
            }
        }

        /** Tasks that take their own metric, data directory and few-shot count, as plain text. */
        public static TaskSettings of(List<String> files, int limit) {
            return new TaskSettings(files, Collections.nCopies(files.size(), ""), limit, "", -1, "", false);
        }

        /** The same settings with each task's fitness metric ({@code ""}: its first). */
        public TaskSettings withMetrics(List<String> metrics) {
            return new TaskSettings(files, metrics, limit, dataDir, numFewshot, chatTemplateDir, fewshotAsMultiturn);
        }

        /** The same settings with hub data under {@code dataDir} and {@code numFewshot} examples per prompt. */
        public TaskSettings withData(String dataDir, int numFewshot) {
            return new TaskSettings(files, metrics, limit, dataDir, numFewshot, chatTemplateDir, fewshotAsMultiturn);
        }

        /** The same settings with prompts rendered by the chat template of the tokenizer in {@code dir}. */
        public TaskSettings withChatTemplate(String dir, boolean multiturn) {
            return new TaskSettings(files, metrics, limit, dataDir, numFewshot, dir, multiturn);
        }
    }

    /** A job whose tasks take their own metric, data directory and few-shot count, as plain text. */
    public CandidateJob(String recipeHash, String recipeYaml, Map<String, String> mergedModels, List<String> taskFiles,
            int limit, String workingDir) {
        this(recipeHash, recipeYaml, mergedModels, workingDir, TaskSettings.of(taskFiles, limit));
    }

    public CandidateJob {
        Objects.requireNonNull(recipeHash, "recipeHash");
        Objects.requireNonNull(recipeYaml, "recipeYaml");
        mergedModels = Map.copyOf(mergedModels);
        Objects.requireNonNull(workingDir, "workingDir");
        Objects.requireNonNull(tasks, "tasks");
    }
}
