package dev.evomerge.merge;

import static dev.evomerge.merge.Tensors.merge;
import static dev.evomerge.merge.Tensors.of;
import static dev.evomerge.merge.Tensors.params;
import static dev.evomerge.merge.Tensors.source;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorView;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtherMethodsTest {

    private static final DType F32 = DType.F32;

    @Test
    void slerpEndpointsAreTheTwoModels() {
        TensorView a = of(F32, 1, 0);
        TensorView b = of(F32, 0, 2);
        assertArrayEquals(new float[] {1, 0}, merge("slerp", a, List.of(source(b)), params("t", 0.0)));
        assertArrayEquals(new float[] {0, 2}, merge("slerp", a, List.of(source(b)), params("t", 1.0)), 1e-6f);
    }

    @Test
    void slerpFollowsTheArcBetweenOrthogonalVectors() {
        // a = (1,0), b = (0,2): cos 0, theta = pi/2, t = 0.5: s0 = s1 = sin(pi/4)/sin(pi/2) = 0.70711
        // out = 0.70711 * (1,0) + 0.70711 * (0,2) = (0.70711, 1.41421)
        float[] out = merge("slerp", of(F32, 1, 0), List.of(source(of(F32, 0, 2))), params("t", 0.5));
        assertArrayEquals(new float[] {0.70710677f, 1.4142135f}, out, 1e-6f);
    }

    @Test
    void slerpOfColinearVectorsIsLinear() {
        // b = 3a: |cos| = 1 > 0.9995, so lerp: 0.75 * (1,2) + 0.25 * (3,6) = (1.5, 3)
        float[] out = merge("slerp", of(F32, 1, 2), List.of(source(of(F32, 3, 6))), params("t", 0.25));
        assertArrayEquals(new float[] {1.5f, 3f}, out);
    }

    @Test
    void modelStockInterpolatesTowardsTheAverageByTheCosine() {
        TensorView base = of(F32, 0, 0);
        TensorView a = of(F32, 1, 0);
        TensorView b = of(F32, 1, 1);
        // deltas (1,0), (1,1): cos = 1/sqrt(2) = 0.70711; t = 2c/(1+c) = 1.41421/1.70711 = 0.82843
        // out = t * mean(a,b) + (1-t) * base = 0.82843 * (1, 0.5) = (0.82843, 0.41421)
        float[] out = merge("model_stock", base, List.of(source(a), source(b)), params());
        assertArrayEquals(new float[] {0.82842714f, 0.41421357f}, out, 1e-6f);
        assertEquals(2 * 0.5 / 1.5, ModelStock.interpolation(2, 0.5), 1e-12);
    }

    @Test
    void modelStockFilterWiseTakesOneAngleperRow() {
        Shape shape = Shape.of(2, 2);
        TensorView base = Tensors.of("w", F32, shape, 0, 0, 0, 0);
        // row 0: deltas (1,0) and (1,0): cos 1, t = 1: mean = (1, 0)
        // row 1: deltas (1,0) and (0,1): cos 0, t = 0: base row (0, 0)
        TensorView a = Tensors.of("w", F32, shape, 1, 0, 1, 0);
        TensorView b = Tensors.of("w", F32, shape, 1, 0, 0, 1);
        float[] out = merge("model_stock", base, List.of(source(a), source(b)), params("filter_wise", true));
        assertArrayEquals(new float[] {1, 0, 0, 0}, out, 1e-6f);
    }

    @Test
    void modelStockNeedsTwoModelsBesidesTheBase() {
        var e = assertThrows(IllegalArgumentException.class, () -> merge("model_stock", of(F32, 0),
                List.of(source(of(F32, 1))), params()));
        assertTrue(e.getMessage().contains("'model_stock' needs the base and at least two other models, got one"),
                e.getMessage());
    }

    @Test
    void passthroughScalesAndConverts() {
        float[] out = merge("passthrough", null, List.of(source(of(F32, 1, -2, 3), "scale", 0.5)), params(),
                0, DType.BF16);
        assertArrayEquals(new float[] {0.5f, -1f, 1.5f}, out);
        assertArrayEquals(new float[] {1, -2, 3}, merge("passthrough", null, List.of(source(of(F32, 1, -2, 3))),
                params()));
    }

    @Test
    void registryListsMergekitNamesAndRejectsUnknownOnes() {
        // mergekit's registry: its static methods and the ones easy_define registers
        assertEquals(java.util.Set.of("linear", "task_arithmetic", "ties", "dare_ties", "dare_linear", "breadcrumbs",
                "breadcrumbs_ties", "della", "della_linear", "slerp", "nuslerp", "multislerp", "karcher",
                "model_stock", "sce", "ram", "ramplus_tl", "nearswap", "arcee_fusion", "passthrough"),
                java.util.Set.copyOf(MergeMethods.names()));
        assertEquals(20, MergeMethods.names().size());
        var e = assertThrows(IllegalArgumentException.class, () -> MergeMethods.byName("tie"));
        assertTrue(e.getMessage().contains("'tie'") && e.getMessage().contains("dare_ties"), e.getMessage());
        GeneralizedTaskArithmetic ties = (GeneralizedTaskArithmetic) MergeMethods.byName("ties");
        assertEquals(Sparsification.MAGNITUDE, ties.sparsification());
        assertEquals(Consensus.SUM, ties.consensus());
        assertEquals(List.of("int8_mask", "normalize", "rescale", "lambda", "weight", "density"),
                ties.parameters().stream().map(ParameterSpec::name).toList());
        assertEquals(true, ties.parameters().get(1).defaultValue());
        assertTrue(MergeMethods.byName("breadcrumbs").parameters().contains(ParameterSpec.perModel("gamma", 0.01)));
        assertTrue(MergeMethods.byName("della").parameters().contains(ParameterSpec.perModel("epsilon", 0.15)));
        assertTrue(MergeMethods.byName("slerp").parameters().getFirst().required());
    }
}
