package dev.evomerge.space;

import static dev.evomerge.space.ParameterSpaceTest.genome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.merge.Gene;
import dev.evomerge.merge.MergeMethods;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.ParameterValue.Scalar;
import dev.evomerge.recipe.RecipeParser;
import dev.evomerge.recipe.SliceSource;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The genome each merge method declares: its genes, their bounds, and the recipes they decode to. */
class MethodGenomesTest {

    private static ParameterSpace space(String method, String extra) {
        return new ParameterSpace(genome("{models: [a, b, c], merge_method: " + method
                + ", base_model: base, layer_granularity: 2" + extra + "}"), 4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.evomerge.merge.MergeMethods#names")
    void everyMethodDecodesRandomGenesToRecipesMergekitCanPlan(String method) {
        ParameterSpace s = space(method, "");
        assertTrue(s.dimension() > 0, method);
        Random rnd = new Random(11);
        for (int k = 0; k < 5; k++) {
            double[] x = new double[s.dimension()];
            for (int i = 0; i < x.length; i++) {
                x[i] = s.lower(i) + rnd.nextDouble() * (s.upper(i) - s.lower(i));
            }
            MergeRecipe r = s.decode(x);
            assertEquals(method, r.mergeMethod());
            assertEquals(r, RecipeParser.parse(r.toYaml(), "genome.yaml"), method);
            r.layout(model -> 4);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.evomerge.merge.MergeMethods#names")
    void boundsAreTheOnesTheMethodDeclares(String method) {
        ParameterSpace s = space(method, "");
        var genes = MergeMethods.byName(method).searchGenes();
        int perModel = 2 * 3 * genes.perModel().size();
        for (int i = 0; i < s.dimension(); i++) {
            Gene g = i < perModel ? genes.perModel().get(i % genes.perModel().size())
                    : genes.perGroup().get((i - perModel) % genes.perGroup().size());
            assertEquals(g.lower(), s.lower(i), s.geneNames().get(i));
            assertEquals(g.upper(), s.upper(i), s.geneNames().get(i));
            assertTrue(s.geneNames().get(i).endsWith("/ " + g.name()), s.geneNames().get(i));
        }
    }

    @Test
    void sceSearchesOneSelectTopkPerLayerGroup() {
        ParameterSpace s = space("sce", "");
        assertEquals(List.of("layers 0-1 / select_topk", "layers 2-3 / select_topk"), s.geneNames());
        MergeRecipe r = s.decode(new double[] {0.25, 0.75});
        assertEquals(Scalar.of(0.25), r.slices().get(0).parameters().get("select_topk"));
        assertEquals(Scalar.of(0.75), r.slices().get(1).parameters().get("select_topk"));
        assertEquals(4, r.slices().getFirst().sources().size(), "three models and the base");
    }

    @Test
    void nearswapSwapsInTheHighestScoringModelPerGroup() {
        ParameterSpace s = space("nearswap", "");
        double[] x = new double[s.dimension()];
        x[s.geneIndex(0, 2, 0, 0)] = 0.9;   // group 0: c
        x[s.geneIndex(1, 0, 0, 0)] = 0.4;   // group 1: a
        x[s.groupGeneIndex(0, 0, 0)] = 0.002;
        MergeRecipe r = s.decode(x);
        assertEquals(List.of("c", "base"), r.slices().get(0).sources().stream().map(SliceSource::model).toList());
        assertEquals(List.of("a", "base"), r.slices().get(1).sources().stream().map(SliceSource::model).toList());
        assertEquals(Scalar.of(0.002), r.slices().get(0).parameters().get("t"));
        assertTrue(r.slices().get(0).sources().getFirst().parameters().isEmpty(), "scores are not parameters");
        assertEquals(0.01, s.upper(s.groupGeneIndex(0, 0, 0)));
    }

    @Test
    void karcherTakesTheModelsScoringAtLeastHalfAndAtLeastOne() {
        ParameterSpace s = space("karcher", "");
        double[] x = new double[s.dimension()];
        x[s.geneIndex(0, 0, 0, 0)] = 0.7;
        x[s.geneIndex(0, 2, 0, 0)] = 0.5;
        x[s.geneIndex(1, 1, 0, 0)] = 0.3;   // group 1: nobody reaches 0.5, so the best one alone
        MergeRecipe r = s.decode(x);
        assertEquals(List.of("a", "c", "base"), r.slices().get(0).sources().stream().map(SliceSource::model).toList());
        assertEquals(List.of("b", "base"), r.slices().get(1).sources().stream().map(SliceSource::model).toList());
    }

    @Test
    void nuslerpInterpolatesTheTwoHighestWeights() {
        ParameterSpace s = space("nuslerp", "");
        double[] x = new double[s.dimension()];
        x[s.geneIndex(0, 0, 0, 0)] = 0.2;
        x[s.geneIndex(0, 1, 0, 0)] = 0.6;
        x[s.geneIndex(0, 2, 0, 0)] = 0.4;
        MergeRecipe r = s.decode(x);
        var sources = r.slices().get(0).sources();
        assertEquals(List.of("b", "c", "base"), sources.stream().map(SliceSource::model).toList());
        assertEquals(Scalar.of(0.6), sources.get(0).parameters().get("weight"));
        assertEquals("base", r.baseModel());
    }

    @Test
    void methodsWithoutANormalizeParameterGetNone() {
        assertFalse(space("sce", "").decode(new double[] {0.5, 0.5}).parameters().containsKey("normalize"));
        assertTrue(space("ties", "").decode(new double[space("ties", "").dimension()]).parameters()
                .containsKey("normalize"));
    }

    @Test
    void passthroughAndLinearLeaveTheGenomesBaseModelOut() {
        for (String method : List.of("passthrough", "linear")) {
            ParameterSpace s = space(method, "");
            MergeRecipe r = s.decode(new double[s.dimension()]);
            assertNull(r.baseModel(), method);
            assertFalse(r.slices().getFirst().sources().stream().anyMatch(x -> x.model().equals("base")), method);
        }
    }

    @Test
    void methodsThatPickModelsPerGroupRefuseSmoothing() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> genome("{models: [a, b], merge_method: arcee_fusion, base_model: base, smooth: true}"));
        assertTrue(e.getMessage().startsWith("evolve.yaml: genome.smooth: not supported for merge method arcee_fusion"),
                e.getMessage());
        var few = assertThrows(IllegalArgumentException.class,
                () -> genome("{models: [a], merge_method: nuslerp}"));
        assertTrue(few.getMessage().startsWith("evolve.yaml: genome.models: nuslerp needs at least 2 models"),
                few.getMessage());
    }
}
