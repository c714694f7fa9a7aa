package dev.evomerge.optimizer.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.results.RunJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What one search checkpoint holds: the loop's counters, the best candidate so far, and the strategy's own state,
 * under a format number that a resume checks, so that a checkpoint written in another layout is refused by name
 * rather than misread.
 *
 * {@snippet :
 * byte[] bytes = checkpoint.toBytes();
 * SearchCheckpoint back = SearchCheckpoint.read(bytes, file);   // refuses another format
 * }
 *
 * @param strategy         the strategy's name, as the config gives it
 * @param elapsedNanos     search time before this checkpoint, over every session
 * @param best             the best candidate so far, or {@code null} before the first
 * @param state            the strategy's exported state
 */
public record SearchCheckpoint(String strategy, long generation, long evaluations, long freshEvaluations,
                               long cacheHits, long elapsedNanos, Best best, JsonNode state) {

    /** The layout written here; a resume refuses any other. */
    public static final int FORMAT = 1;

    /** The best candidate so far. */
    public record Best(double fitness, String recipeHash, double[] genes) {
        public Best {
            Objects.requireNonNull(recipeHash, "recipeHash");
            genes = genes.clone();
        }
    }

    public SearchCheckpoint {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(state, "state");
    }

    /** The checkpoint as the JSON bytes a checkpoint file holds. */
    public byte[] toBytes() {
        ObjectNode root = RunJson.mapper().createObjectNode();
        root.put("format", FORMAT);
        root.put("strategy", strategy);
        root.put("generation", generation);
        root.put("evaluations", evaluations);
        root.put("fresh_evaluations", freshEvaluations);
        root.put("cache_hits", cacheHits);
        root.put("elapsed_nanos", elapsedNanos);
        if (best != null) {
            ObjectNode b = root.putObject("best");
            b.put("fitness", best.fitness());
            b.put("recipe_hash", best.recipeHash());
            b.set("genes", RunJson.mapper().valueToTree(best.genes()));
        }
        root.set("state", state);
        try {
            return RunJson.mapper().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the checkpoint of generation " + generation, e);
        }
    }

    /**
     * Reads a checkpoint's bytes.
     *
     * @param file where they came from, for the messages
     * @throws IllegalArgumentException when the checkpoint is of another format
     */
    public static SearchCheckpoint read(byte[] payload, Path file) {
        JsonNode root;
        try {
            root = RunJson.mapper().readTree(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": checksum is right but the JSON is not: " + e.getMessage(), e);
        }
        int format = root.path("format").asInt(0);
        if (format != FORMAT) {
            throw new IllegalArgumentException(file + ": checkpoint format " + format + ", but this evomerge reads format "
                    + FORMAT + " (resume it with the evomerge that wrote it)");
        }
        JsonNode b = root.get("best");
        Best best = b == null || b.isNull() ? null : new Best(b.get("fitness").asDouble(), b.get("recipe_hash").asText(),
                RunJson.mapper().convertValue(b.get("genes"), double[].class));
        return new SearchCheckpoint(root.path("strategy").asText(), root.get("generation").asLong(),
                root.get("evaluations").asLong(), root.get("fresh_evaluations").asLong(), root.get("cache_hits").asLong(),
                root.get("elapsed_nanos").asLong(), best, root.get("state"));
    }
}
