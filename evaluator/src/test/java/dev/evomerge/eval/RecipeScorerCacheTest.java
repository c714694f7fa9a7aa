package dev.evomerge.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.task.Task;
import dev.evomerge.eval.task.TaskResult;
import dev.evomerge.eval.task.TaskSplit;
import dev.evomerge.plan.MergedTensorCache;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scoring recipes through a merged-tensor cache gives exactly the scores of merging afresh. */
class RecipeScorerCacheTest {

    @TempDir
    Path tmp;
    List<Task> tasks;

    @BeforeEach
    void setUp() throws IOException {
        SyntheticCheckpoints.llama(tmp.resolve("a"), 3, 16, 32, 64, DType.BF16, 1);
        SyntheticCheckpoints.llama(tmp.resolve("b"), 3, 16, 32, 64, DType.BF16, 2);
        Files.writeString(tmp.resolve("rows.jsonl"), """
                {"text": "the cat sat on the mat"}
                {"text": "two plus two is four"}
                """);
        Files.writeString(tmp.resolve("lm.yaml"), "name: lm\ntype: loglik\ndata: rows.jsonl\ntest_fraction: 0\n");
        tasks = List.of(Task.load(tmp.resolve("lm.yaml")));
    }

    private static MergeRecipe linear(double w1) {
        return linear(0.3, w1);
    }

    /** Model a's weight is {@code w0} for layer 0 and the non-layer tensors, {@code w1} for layer 1. */
    private static MergeRecipe linear(double w0, double w1) {
        return RecipeParser.parse("""
                merge_method: linear
                models:
                  - model: a
                    parameters: {weight: [%s, %s, 0.7]}
                  - model: b
                    parameters: {weight: 0.5}
                """.formatted(w0, w1), "test.yaml");
    }

    private TaskResult score(MergedTensorCache cache, MergeRecipe recipe) {
        try (RecipeScorer scorer = new RecipeScorer(tasks, TaskSplit.ALL, 0, tmp, ComputeDevice.CPU, cache)) {
            return scorer.score(recipe).get("lm");
        }
    }

    private TaskResult uncached(MergeRecipe recipe) {
        try (RecipeScorer scorer = new RecipeScorer(tasks, TaskSplit.ALL, 0, tmp, ComputeDevice.CPU)) {
            return scorer.score(recipe).get("lm");
        }
    }

    private static void assertSameScores(TaskResult expected, TaskResult actual) {
        assertEquals(Double.doubleToLongBits(expected.score()), Double.doubleToLongBits(actual.score()));
        assertArrayEquals(expected.perExample(), actual.perExample());
    }

    @Test
    void sameRecipeTwiceIsAllHitsWithBitIdenticalScores() {
        try (MergedTensorCache cache = MergedTensorCache.withBudgetMb(64)) {
            TaskResult first = score(cache, linear(0.5));
            long tensors = cache.stats().misses();
            TaskResult second = score(cache, linear(0.5));
            assertEquals(tensors, cache.stats().hits());
            assertEquals(tensors, cache.stats().misses());
            assertSameScores(first, second);
            assertSameScores(uncached(linear(0.5)), second);
        }
    }

    @Test
    void oneLayerChangedRebuildsOnlyThatLayerAndScoresAsAFreshMerge() {
        try (MergedTensorCache cache = MergedTensorCache.withBudgetMb(64)) {
            score(cache, linear(0.5));
            long tensors = cache.stats().misses();
            TaskResult changed = score(cache, linear(0.9));
            long layer1 = cache.stats().misses() - tensors;
            assertEquals(9, layer1, "a Llama layer has 9 tensors: " + cache.stats().summary());
            assertSameScores(uncached(linear(0.9)), changed);
        }
    }

    @Test
    void budgetBelowOneModelEvictsAndScoresStayExact() {
        try (MergedTensorCache cache = MergedTensorCache.withBudget(16 << 10)) {
            score(cache, linear(0.5));
            TaskResult again = score(cache, linear(0.5));
            assertTrue(cache.stats().hits() > 0, cache.stats().summary());
            TaskResult changed = score(cache, linear(0.9, 0.5));
            assertTrue(cache.stats().evictions() > 0, cache.stats().summary());
            assertTrue(cache.stats().bytesHeld() <= 16 << 10, cache.stats().summary());
            assertSameScores(uncached(linear(0.5)), again);
            assertSameScores(uncached(linear(0.9, 0.5)), changed);
        }
    }

    @Test
    void zeroBudgetMergesEveryTensorEveryTime() {
        try (MergedTensorCache cache = MergedTensorCache.withBudgetMb(0)) {
            score(cache, linear(0.5));
            long tensors = cache.stats().misses();
            score(cache, linear(0.5));
            assertEquals(0, cache.stats().hits());
            assertEquals(2 * tensors, cache.stats().misses());
            assertEquals(0, cache.stats().bytesHeld());
        }
    }

    @Test
    void routedRecipesShareTheMergedModelsTensors() {
        MergeRecipe routed = RecipeParser.parse("""
                merge_method: passthrough
                models:
                  - model: "merged:x"
                layer_path:
                  - {model: "merged:x", layer: 0, scale: 1.0}
                  - {model: a, layer: 1, scale: 1.0}
                  - {model: "merged:x", layer: 2, scale: 1.0}
                """, "routed.yaml");
        Function<String, MergeRecipe> merges = name -> name.equals("merged:x") ? linear(0.5) : null;
        try (MergedTensorCache cache = MergedTensorCache.withBudgetMb(64);
             RecipeScorer scorer = new RecipeScorer(tasks, TaskSplit.ALL, 0, tmp, ComputeDevice.CPU, cache)) {
            TaskResult first = scorer.score(routed, merges).get("lm");
            long tensors = cache.stats().misses();
            TaskResult second = scorer.score(routed, merges).get("lm");
            assertEquals(tensors, cache.stats().hits());
            assertSameScores(first, second);
        }
    }
}
