package dev.evomerge.results;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One line of {@code fitness-cache.jsonl}: what evaluating one recipe gave, so the same recipe is never
 * evaluated twice in a run, also across resume.
 *
 * @param recipeHash {@code MergeRecipe.contentHash()}
 * @param generation the generation in which it was evaluated
 * @param scores score per task, in task order
 * @param examples per-example scores (what M2N2 needs)
 * @param seconds evaluation time
 * @param worker who scored it (see {@link HistoryRecord#worker()}), or {@code null}
 * @param metrics per task, its metrics under their full names (see {@link HistoryRecord#metrics()}); empty in
 *                entries written before evomerge recorded them
 */
public record CachedFitness(
        @JsonProperty("recipe_hash") String recipeHash,
        long generation,
        Map<String, Double> scores,
        double[] examples,
        double seconds,
        @JsonInclude(JsonInclude.Include.NON_NULL) String worker,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, TaskMetrics> metrics) {
    public CachedFitness {
        Objects.requireNonNull(recipeHash, "recipeHash");
        Objects.requireNonNull(examples, "examples");
        scores = scores == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        metrics = metrics == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** An entry without metrics under their full names. */
    public CachedFitness(String recipeHash, long generation, Map<String, Double> scores, double[] examples,
            double seconds, String worker) {
        this(recipeHash, generation, scores, examples, seconds, worker, Map.of());
    }

    /** An entry without a worker. */
    public CachedFitness(String recipeHash, long generation, Map<String, Double> scores, double[] examples,
            double seconds) {
        this(recipeHash, generation, scores, examples, seconds, null, Map.of());
    }
}
