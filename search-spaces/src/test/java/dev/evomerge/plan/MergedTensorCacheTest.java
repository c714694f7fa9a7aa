package dev.evomerge.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merged-tensor cache: reuse across recipes that share tensors, LRU under a budget, exact results. */
class MergedTensorCacheTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void models() {
        SyntheticCheckpoints.llama(tmp.resolve("a"), 3, 16, 32, 64, DType.BF16, 1);
        SyntheticCheckpoints.llama(tmp.resolve("b"), 3, 16, 32, 64, DType.BF16, 2);
    }

    /** Linear merge whose weight for model a is a 3-point gradient: anchor i is layer i's weight exactly. */
    private static MergeRecipe linear(double w0, double w1, double w2) {
        return RecipeParser.parse("""
                merge_method: linear
                models:
                  - model: a
                    parameters: {weight: [%s, %s, %s]}
                  - model: b
                    parameters: {weight: 0.5}
                dtype: float32
                """.formatted(w0, w1, w2), "test.yaml");
    }

    private static MergeRecipe dare(double w1) {
        return RecipeParser.parse("""
                merge_method: dare_linear
                base_model: a
                models:
                  - model: b
                    parameters: {weight: [1.0, %s, 1.0], density: 0.5}
                """.formatted(w1), "dare.yaml");
    }

    /** Builds {@code recipe} through the cache and checks every tensor against an uncached merge, byte for byte. */
    private int buildAndCheck(MergedTensorCache cache, MergeRecipe recipe) {
        try (ModelSet models = ModelSet.open(recipe, tmp); Arena arena = Arena.ofConfined();
             MergedTensorCache.MergedTensors merged = cache.build(MergePlanner.plan(recipe, models), models)) {
            MergePlan plan = MergePlanner.plan(recipe, models);
            Map<String, MemorySegment> expected = new HashMap<>();
            plan.outputs().forEach(s -> expected.put(s.name(), arena.allocate(s.byteSize(), 64)));
            MergeExecutor.run(plan, models, expected::get, MergeExecutor.Progress.NONE);
            assertEquals(expected.keySet(), merged.tensors().keySet());
            for (var e : expected.entrySet()) {
                TensorView t = merged.tensor(e.getKey());
                assertEquals(-1L, t.data().mismatch(e.getValue()), e.getKey() + " differs from an uncached merge");
            }
            return plan.tasks().size();
        }
    }

    @Test
    void sameRecipeTwiceIsAllHitsTheSecondTime() {
        try (MergedTensorCache cache = MergedTensorCache.withBudgetMb(16)) {
            int tensors = buildAndCheck(cache, linear(0.3, 0.5, 0.7));
            MergedTensorCache.Stats first = cache.stats();
            assertEquals(new MergedTensorCache.Stats(0, tensors, 0, tensors, first.bytesHeld(), 0, 16L << 20,
                    first.mergeNanos()), first);
            assertTrue(first.bytesHeld() > 0);
            buildAndCheck(cache, linear(0.3, 0.5, 0.7));
            MergedTensorCache.Stats s = cache.stats();
            assertEquals(tensors, s.hits());
            assertEquals(tensors, s.misses());
            assertEquals(0.5, s.hitRate());
            assertEquals(s.bytesHeld(), s.hitBytes());
        }
    }

    @Test
    void recipesDifferingInOneLayerMissOnlyThatLayersTensors() {
        try (MergedTensorCache cache = MergedTensorCache.withBudgetMb(16);
             ModelSet models = ModelSet.open(linear(0.3, 0.5, 0.7), tmp)) {
            long layer1 = MergePlanner.plan(linear(0.3, 0.5, 0.7), models).outputs().stream()
                    .filter(s -> s.name().startsWith("model.layers.1.")).count();
            int tensors = buildAndCheck(cache, linear(0.3, 0.5, 0.7));
            buildAndCheck(cache, linear(0.3, 0.9, 0.7));
            MergedTensorCache.Stats s = cache.stats();
            assertTrue(layer1 > 0 && layer1 < tensors);
            assertEquals(tensors + layer1, s.misses());
            assertEquals(tensors - layer1, s.hits());
        }
    }

    private long modelBytes() {
        try (ModelSet models = ModelSet.open(linear(0.3, 0.5, 0.7), tmp)) {
            return MergePlanner.plan(linear(0.3, 0.5, 0.7), models).outputBytes();
        }
    }

    @Test
    void budgetSmallerThanOneModelKeepsWhatFitsAcrossRepeatedBuilds() {
        long budget = modelBytes() / 3;
        try (MergedTensorCache cache = MergedTensorCache.withBudget(budget)) {
            int tensors = buildAndCheck(cache, linear(0.3, 0.5, 0.7));
            long kept = cache.stats().entries();
            assertTrue(kept > 0 && kept < tensors, cache.stats().summary());
            buildAndCheck(cache, linear(0.3, 0.5, 0.7));
            assertEquals(kept, cache.stats().hits(), "a repeated build is not a scan that evicts its own head");
            assertTrue(cache.stats().bytesHeld() <= budget, cache.stats().summary());
        }
    }

    @Test
    void budgetSmallerThanOneModelEvictsForNewTensorsAndStillGivesExactTensors() {
        long budget = modelBytes() / 3;
        try (MergedTensorCache cache = MergedTensorCache.withBudget(budget)) {
            buildAndCheck(cache, linear(0.3, 0.5, 0.7));
            buildAndCheck(cache, linear(0.9, 0.5, 0.7));   // layer 0 and the embeddings change
            buildAndCheck(cache, linear(0.1, 0.5, 0.7));
            MergedTensorCache.Stats s = cache.stats();
            assertTrue(s.evictions() > 0, s.summary());
            assertTrue(s.bytesHeld() <= budget, s.summary());
        }
    }

    @Test
    void zeroBudgetCachesNothing() {
        try (MergedTensorCache cache = MergedTensorCache.withBudgetMb(0)) {
            int tensors = buildAndCheck(cache, linear(0.3, 0.5, 0.7));
            buildAndCheck(cache, linear(0.3, 0.5, 0.7));
            MergedTensorCache.Stats s = cache.stats();
            assertEquals(0, s.hits());
            assertEquals(2L * tensors, s.misses());
            assertEquals(0, s.entries());
            assertEquals(0, s.bytesHeld());
            assertTrue(s.summary().startsWith("merge cache off"), s.summary());
        }
    }

    @Test
    void seededMethodsKeyOnTheSeedAndDeterministicOnesDoNot() {
        try (ModelSet models = ModelSet.open(dare(1.0), tmp)) {
            TensorTask t1 = MergePlanner.plan(dare(1.0), models).tasks().getFirst();
            TensorTask t2 = MergePlanner.plan(dare(0.7), models).tasks().getFirst();
            assertNotEquals(t1.seed(), t2.seed(), "the planner seeds from the recipe hash");
            assertEquals(t1.seed(), MergedTensorKey.of(t1, models).seed());
            assertNotEquals(MergedTensorKey.of(t1, models), MergedTensorKey.of(t2, models));
        }
        try (ModelSet models = ModelSet.open(linear(0.3, 0.5, 0.7), tmp)) {
            TensorTask t1 = MergePlanner.plan(linear(0.3, 0.5, 0.7), models).tasks().getFirst();
            TensorTask t2 = MergePlanner.plan(linear(0.3, 0.9, 0.7), models).tasks().getFirst();
            assertEquals(0, MergedTensorKey.of(t1, models).seed());
            assertEquals(MergedTensorKey.of(t1, models), MergedTensorKey.of(t2, models));
        }
    }

    @Test
    void seededMergesAreReusedForTheSameRecipeAndExact() {
        try (MergedTensorCache cache = MergedTensorCache.withBudgetMb(16)) {
            int tensors = buildAndCheck(cache, dare(0.7));
            buildAndCheck(cache, dare(0.7));
            assertEquals(tensors, cache.stats().hits());
        }
    }
}
