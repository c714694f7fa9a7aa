package dev.evomerge.results;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One line of {@code history.jsonl}: one evaluated candidate.
 *
 * {@snippet :
 * {"generation":3,"index":0,"genes":[0.1,0.7],"recipe_hash":"9f...","scores":{"math":0.41},
 *  "fitness":0.41,"seconds":1.93,"cache_hit":false}
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
 */
public record HistoryRecord(
        long generation,
        int index,
        double[] genes,
        @JsonProperty("recipe_hash") String recipeHash,
        Map<String, Double> scores,
        double fitness,
        double seconds,
        @JsonProperty("cache_hit") boolean cacheHit) {
    public HistoryRecord {
        Objects.requireNonNull(genes, "genes");
        Objects.requireNonNull(recipeHash, "recipeHash");
        scores = scores == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
    }
}
