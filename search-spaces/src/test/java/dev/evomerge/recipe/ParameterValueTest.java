package dev.evomerge.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.evomerge.recipe.ParameterValue.FilterEntry;
import dev.evomerge.recipe.ParameterValue.Filtered;
import dev.evomerge.recipe.ParameterValue.Gradient;
import dev.evomerge.recipe.ParameterValue.Scalar;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterValueTest {

    private static final Gradient ATTN = new Gradient(List.of(0.0, 0.5, 0.3, 0.7, 1.0));
    private static final Gradient MLP = new Gradient(List.of(1.0, 0.5, 0.7, 0.3, 0.0));
    private static final Filtered README_T = new Filtered(List.of(
            new FilterEntry("self_attn", ATTN), new FilterEntry("mlp", MLP), new FilterEntry(null, Scalar.of(0.5))));

    @Test
    void gradientHitsItsPointsExactly() {
        assertEquals(0.0, ATTN.evaluate("x", 0.0));
        assertEquals(0.5, ATTN.evaluate("x", 0.25));
        assertEquals(0.3, ATTN.evaluate("x", 0.5));
        assertEquals(0.7, ATTN.evaluate("x", 0.75));
        assertEquals(1.0, ATTN.evaluate("x", 1.0));
    }

    @Test
    void gradientInterpolatesBetweenPoints() {
        // layer 3 of 8 (models: t = 3/7): s = 4 * 3/7 = 12/7, i0 = 1, f = 5/7
        // self_attn: 2/7 * 0.5 + 5/7 * 0.3 = 2.5/7; mlp: 2/7 * 0.5 + 5/7 * 0.7 = 4.5/7
        double t = 3.0 / 7;
        assertEquals(2.5 / 7, (Double) ATTN.evaluate("x", t), 1e-15);
        assertEquals(4.5 / 7, (Double) MLP.evaluate("x", t), 1e-15);
        // t = 0.1: s = 0.4 -> 0.6 * 1 + 0.4 * 0.5 = 0.8
        assertEquals(0.8, (Double) MLP.evaluate("x", 0.1), 1e-15);
    }

    @Test
    void singleValueGradientIsConstant() {
        Gradient g = new Gradient(List.of(0.25));
        assertEquals(0.25, g.evaluate("x", 0.0));
        assertEquals(0.25, g.evaluate("x", 1.0));
    }

    @Test
    void filterFirstMatchWins() {
        double t = 3.0 / 7;
        assertEquals(2.5 / 7, (Double) README_T.evaluate("model.layers.3.self_attn.q_proj.weight", t), 1e-15);
        assertEquals(4.5 / 7, (Double) README_T.evaluate("model.layers.3.mlp.up_proj.weight", t), 1e-15);
        Filtered both = new Filtered(List.of(new FilterEntry("q_proj", Scalar.of(1.0)),
                new FilterEntry("self_attn", Scalar.of(2.0))));
        assertEquals(1.0, both.evaluate("model.layers.0.self_attn.q_proj.weight", 0));
        assertEquals(2.0, both.evaluate("model.layers.0.self_attn.k_proj.weight", 0));
    }

    @Test
    void unfilteredEntryIsTheFallback() {
        assertEquals(0.5, README_T.evaluate("model.layers.3.input_layernorm.weight", 0.3));
        assertEquals(0.5, README_T.evaluate("model.embed_tokens.weight", 0.0));
    }

    @Test
    void starFilterMatchesAnything() {
        Filtered f = new Filtered(List.of(new FilterEntry("*", Scalar.of(3.0)), new FilterEntry("mlp", Scalar.of(4.0))));
        assertEquals(3.0, f.evaluate("model.layers.0.mlp.up_proj.weight", 0));
    }

    @Test
    void noMatchAndNoFallbackIsUnset() {
        Filtered f = new Filtered(List.of(new FilterEntry("mlp", Scalar.of(1.0))));
        assertNull(f.evaluate("model.layers.0.self_attn.q_proj.weight", 0));
    }

    @Test
    void booleansStayBooleans() {
        assertEquals(Boolean.TRUE, Scalar.of(true).evaluate("x", 0.5));
    }
}
