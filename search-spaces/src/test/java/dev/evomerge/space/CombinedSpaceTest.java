package dev.evomerge.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.evomerge.recipe.LayerStep;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.ModelEntry;
import dev.evomerge.recipe.RecipeParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CombinedSpaceTest {

    // parameter genes: a/weight, b/weight (one group, linear); routing: merged (2 layers) then c (1 layer), r = 1
    // slots 0 m0, 1 m1, 2 c0; anchors 0 and 1; genes: include c0, W[m][m], W[m][c], W[c][m], W[c][c]
    private final CombinedSpace space = new CombinedSpace(
            new ParameterSpace(ParameterSpaceTest.genome("{models: [a, b], merge_method: linear}"), 2),
            List.of("c"), List.of(1), 1, 2.0);

    private static final double[] GENES = {0.3, 0.7, 0.8, 1.2, 0.4, 1.9, 1.0};

    @Test
    void genesAreParameterGenesThenRoutingGenes() {
        assertEquals(2 + 1 + 4, space.dimension());
        assertEquals("layers 0-1 / a / weight", space.geneNames().get(0));
        assertEquals("slot 2: c layer 0 (repeat 0) / include", space.geneNames().get(2));
        assertEquals(1.0, space.upper(1));
        assertEquals(2.0, space.upper(3));
    }

    @Test
    void routedRecipeNamesTheMergedModelByItsRecipeHash() {
        MergeRecipe merged = space.parameterRecipe(GENES);
        assertEquals(space.parameterSpace().decode(new double[] {0.3, 0.7}), merged);
        String name = "merged:" + merged.contentHash();
        assertEquals(name, space.mergedModelName(GENES));
        MergeRecipe routed = space.decode(GENES);
        assertEquals(List.of(new ModelEntry(name, Map.of()), new ModelEntry("c", Map.of())), routed.models());
        assertEquals(List.of(new LayerStep(name, 0, 1.0), new LayerStep(name, 1, 1.2), new LayerStep("c", 0, 0.4)),
                routed.layerPath());
        assertEquals(3, space.pathLength(GENES));
        assertEquals(routed, RecipeParser.parse(routed.toYaml(), "routed.yaml"));
    }

    @Test
    void changingOnlyAParameterGeneChangesTheRoutedHash() {
        double[] y = GENES.clone();
        y[0] = 0.31;
        assertNotEquals(space.decode(GENES).contentHash(), space.decode(y).contentHash());
        assertEquals(space.decode(GENES).contentHash(), space.decode(GENES.clone()).contentHash());
    }

    @Test
    void codecRoundTripAndWrongGeneCount() {
        var codec = space.codec();
        MergeRecipe r = codec.decode(codec.encoding().newInstance());
        assertEquals(r, RecipeParser.parse(r.toYaml(), "codec.yaml"));
        assertThrows(IllegalArgumentException.class, () -> space.decode(new double[3]));
    }
}
