package dev.evomerge.results;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One line of {@code history.jsonl}: one evaluated candidate.
 *
 * {@snippet :
 * {"generation":3,"index":0,"genes":[0.1,0.7],"recipe_hash":"9f...","scores":{"math":0.41},
 *  "fitness":0.41,"seconds":1.93,"cache_hit":false,"worker":"10.0.0.6:5701",
 *  "metrics":{"math":{"metric":"exact_match,strict-match","values":{"exact_match,strict-match":0.41,
 *                                                                 "exact_match,flexible-extract":0.44}}}}
 * }
 *
 * @param generation the generation (1-based) that asked for it
 * @param index position within the generation's evaluations
 * @param genes the genes as the strategy proposed them
 * @param recipeHash {@code MergeRecipe.contentHash()} of the decoded recipe
 * @param scores score per task, in task order
 * @param fitness the value the strategy maximises (mean per-example score)
 * @param seconds evaluation time (0 for a cache hit)
 * @param cacheHit whether the scores came from the fitness cache
 * @param worker who scored it: a cluster worker's host:port, {@code local} for the search's own process, or
 *               {@code null} (not written) for a cache hit or an evaluator that does not say
 * @param metrics per task, its metrics under their full names and the one {@code scores} holds; empty (not
 *                written) where the evaluator gives none, and in lines written before evomerge recorded them
 */
public record HistoryRecord(
        long generation,
        int index,
        double[] genes,
        @JsonProperty("recipe_hash") String recipeHash,
        Map<String, Double> scores,
        double fitness,
        double seconds,
        @JsonProperty("cache_hit") boolean cacheHit,
        @JsonInclude(JsonInclude.Include.NON_NULL) String worker,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, TaskMetrics> metrics) {
    public HistoryRecord {
        Objects.requireNonNull(genes, "genes");
        Objects.requireNonNull(recipeHash, "recipeHash");
        scores = scores == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        metrics = metrics == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /** A record without metrics under their full names. */
    public HistoryRecord(long generation, int index, double[] genes, String recipeHash, Map<String, Double> scores,
            double fitness, double seconds, boolean cacheHit, String worker) {
        this(generation, index, genes, recipeHash, scores, fitness, seconds, cacheHit, worker, Map.of());
    }

    /** A record without a worker (a cache hit, or an evaluator that does not say who scored it). */
    public HistoryRecord(long generation, int index, double[] genes, String recipeHash, Map<String, Double> scores,
            double fitness, double seconds, boolean cacheHit) {
        this(generation, index, genes, recipeHash, scores, fitness, seconds, cacheHit, null, Map.of());
    }
}
