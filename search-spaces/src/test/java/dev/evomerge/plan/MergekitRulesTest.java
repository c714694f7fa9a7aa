package dev.evomerge.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergekitRulesTest {
    @TempDir Path tmp;

    @BeforeEach
    void models() {
        // hidden 16: the norms hold 16 elements, the smallest tensors
        Path base = SyntheticCheckpoints.llama(tmp.resolve("base"), 1, 16, 32, 48, DType.F32, 1);
        SyntheticCheckpoints.fineTune(base, tmp.resolve("a"), 0.1f, 2);
    }

    private List<String> violations(String method, double density) {
        MergeRecipe r = RecipeParser.parse("merge_method: " + method + "\nbase_model: base\nmodels:\n"
                + "  - model: a\n    parameters: {weight: 1.0, density: " + density + "}\n", "r.yaml");
        try (ModelSet models = ModelSet.open(r, tmp)) {
            return MergekitRules.violations(MergePlanner.plan(r, models));
        }
    }

    @Test
    void tiesDensityThatKeepsNoElementOfATensorIsRefused() {
        List<String> v = violations("ties", 0.05);   // int(0.05 x 16) = 0 for each norm
        assertEquals(3, v.size(), v.toString());
        assertTrue(v.getFirst().startsWith("density 0.05 for model.layers.0.input_layernorm.weight of a (16 elements)"),
                v.getFirst());
        assertEquals(List.of(), violations("ties", 0.07));   // int(1.12) = 1
        assertEquals(List.of(), violations("ties", 1.0));
    }

    @Test
    void zeroDensityIsRefusedForEverySparsifyingMethod() {
        assertTrue(violations("dare_ties", 0.0).getFirst().endsWith("mergekit needs a density above 0"));
        assertEquals(List.of(), violations("dare_ties", 0.05), "DARE samples, it does not count");
    }
}
