package dev.evomerge.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.recipe.LayerStep;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.ModelEntry;
import dev.evomerge.recipe.RecipeParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerRoutingSpaceTest {

    // slots: 0 a0, 1 a1, 2 a2, 3 b0, 4 b1 | 5 a0, 6 a1, 7 a2, 8 b0, 9 b1; anchors 0 and 7
    private final LayerRoutingSpace space = new LayerRoutingSpace(List.of("a", "b"), List.of(3, 2), 2, 2.0);

    // indicator genes for slots 1, 2, 3, 4, 5, 6, 8, 9, then W[a][a], W[a][b], W[b][a], W[b][b]
    private static final double[] GENES = {0.9, 0.1, 0.5, 0.49, 0.0, 0.7, 0.2, 0.99, 1.1, 0.3, 1.7, 0.6};

    @Test
    void slotsRepeatTheModelsLayersInOrder() {
        assertEquals(10, space.slots().size());
        assertEquals(new LayerRoutingSpace.Slot(1, 0, 1), space.slots().get(8));
        assertEquals(List.of(0, 7), space.anchors());
        assertEquals(8 + 4, space.dimension());
        assertEquals("slot 3: b layer 0 (repeat 0) / include", space.geneNames().get(2));
        assertEquals("slot 8: b layer 0 (repeat 1) / include", space.geneNames().get(6));
        assertEquals("scale b -> a", space.geneNames().get(10));
        assertEquals(1.0, space.upper(7));
        assertEquals(2.0, space.upper(8));
        assertEquals(0.0, space.lower(11));
    }

    @Test
    void decodeFollowsIncludedSlotsWithHopScales() {
        MergeRecipe r = space.decode(GENES);
        assertEquals("passthrough", r.mergeMethod());
        assertEquals(List.of(new ModelEntry("a", Map.of()), new ModelEntry("b", Map.of())), r.models());
        assertEquals(List.of(
                new LayerStep("a", 0, 1.0),   // anchor, first step
                new LayerStep("a", 1, 1.1),   // a -> a
                new LayerStep("b", 0, 0.3),   // a -> b (gene exactly 0.5 counts as included)
                new LayerStep("a", 1, 1.7),   // b -> a, repeat 1
                new LayerStep("a", 2, 1.1),   // anchor: a's last layer in the last repeat
                new LayerStep("b", 1, 0.3)), r.layerPath());
        assertEquals(6, space.pathLength(GENES));
        assertEquals(r, RecipeParser.parse(r.toYaml(), "routed.yaml"));
    }

    @Test
    void anchorsStayWhenEveryIndicatorIsOff() {
        double[] x = new double[space.dimension()];
        assertEquals(List.of(new LayerStep("a", 0, 1.0), new LayerStep("a", 2, 0.0)), space.decode(x).layerPath());
        assertEquals(2, space.pathLength(x));
    }

    @Test
    void scalesOutsideTheRangeAreClamped() {
        double[] x = GENES.clone();
        x[8] = 5.0;
        x[9] = -1.0;
        List<LayerStep> p = space.decode(x).layerPath();
        assertEquals(2.0, p.get(1).scale());
        assertEquals(0.0, p.get(2).scale());
    }

    @Test
    void equalGenesGiveEqualHashesAndAFlippedSlotADifferentOne() {
        assertEquals(space.decode(GENES).contentHash(), space.decode(GENES.clone()).contentHash());
        double[] y = GENES.clone();
        y[1] = 0.6;
        assertNotEquals(space.decode(GENES).contentHash(), space.decode(y).contentHash());
        assertEquals(7, space.pathLength(y));
    }

    @Test
    void oneModelOneRepeatHasTheAnchorsAtBothEnds() {
        LayerRoutingSpace one = new LayerRoutingSpace(List.of("a"), List.of(4), 1);
        assertEquals(List.of(0, 3), one.anchors());
        assertEquals(2 + 1, one.dimension());
        assertEquals(List.of(new LayerStep("a", 0, 1.0), new LayerStep("a", 2, 1.5), new LayerStep("a", 3, 1.5)),
                one.decode(new double[] {0.2, 0.8, 1.5}).layerPath());
    }

    @Test
    void codecDecodesRandomGenotypesToValidPaths() {
        var codec = space.codec();
        for (int k = 0; k < 10; k++) {
            MergeRecipe r = codec.decode(codec.encoding().newInstance());
            assertTrue(r.layerPath().size() >= 2);
            assertEquals(new LayerStep("a", 0, 1.0), r.layerPath().getFirst());
            assertEquals(r, RecipeParser.parse(r.toYaml(), "codec.yaml"));
        }
    }

    @Test
    void badDefinitionsAndGeneCountsFail() {
        assertThrows(IllegalArgumentException.class, () -> new LayerRoutingSpace(List.of("a"), List.of(2, 3), 1));
        assertThrows(IllegalArgumentException.class, () -> new LayerRoutingSpace(List.of("a", "a"), List.of(2, 2), 1));
        assertThrows(IllegalArgumentException.class, () -> new LayerRoutingSpace(List.of("a"), List.of(2), 0));
        assertThrows(IllegalArgumentException.class, () -> space.decode(new double[3]));
        assertThrows(IllegalArgumentException.class, () -> space.pathLength(new double[3]));
    }
}
