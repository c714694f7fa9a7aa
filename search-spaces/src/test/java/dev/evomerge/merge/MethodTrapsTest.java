package dev.evomerge.merge;

import static dev.evomerge.checkpoint.DType.F32;
import static dev.evomerge.merge.Tensors.merge;
import static dev.evomerge.merge.Tensors.of;
import static dev.evomerge.merge.Tensors.params;
import static dev.evomerge.merge.Tensors.source;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.Shape;
import dev.evomerge.checkpoint.TensorView;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The traps in mergekit methods whose code holds easy-to-miss rules, one behaviour each, on tensors small enough to follow by hand. */
class MethodTrapsTest {

    private static final float R = (float) Math.sqrt(0.5);

    @Test
    void nuslerpTakesTFromTheSecondWeightOverTheSum() {
        // orthogonal unit vectors, weights 1 and 3: t = 0.75, so sin(t pi/2) of b and sin((1-t) pi/2) of a
        float[] out = merge("nuslerp", null, List.of(source(of(F32, 1, 0), "weight", 1.0),
                source(of(F32, 0, 1), "weight", 3.0)), params());
        assertArrayEquals(new float[] {(float) Math.sin(Math.PI / 8), (float) Math.sin(3 * Math.PI / 8)}, out, 1e-6f);
    }

    @Test
    void nuslerpTakesTHalfWhenTheWeightsCancel() {
        float[] out = merge("nuslerp", null, List.of(source(of(F32, 1, 0), "weight", 1.0),
                source(of(F32, 0, 1), "weight", -1.0)), params());
        assertArrayEquals(new float[] {R, R}, out, 1e-6f);
    }

    @Test
    void nuslerpWithABaseInterpolatesTheTwoTaskVectors() {
        float[] out = merge("nuslerp", of(F32, 1, 1), List.of(source(of(F32, 2, 1), "weight", 1.0),
                source(of(F32, 1, 2), "weight", 1.0)), params());
        assertArrayEquals(new float[] {1 + R, 1 + R}, out, 1e-6f);
    }

    @Test
    void nuslerpFallsBackToLinearOnlyForColinearVectors() {
        float[] colinear = merge("nuslerp", null, List.of(source(of(F32, 1, 0), "weight", 3.0),
                source(of(F32, 2, 0), "weight", 1.0)), params());
        assertArrayEquals(new float[] {1.25f, 0}, colinear, 0f);
        // 1e-3 rad apart: spherical, which differs from the linear blend in the 7th digit of the norm
        double[] c = dev.evomerge.merge.kernel.Spherical.coefficients(0.5, 1, Math.cos(1e-3), 1);
        assertNotEquals(0.5, c[0], 1e-9);
    }

    @Test
    void nuslerpRowWiseInterpolatesAlongTheFirstDimension() {
        // columns of a: (1, 0) and (1, 0); of b: (0, 1) and (1, 0): the first pair orthogonal, the second equal
        TensorView a = of("w", F32, Shape.of(2, 2), 1, 1, 0, 0);
        TensorView b = of("w", F32, Shape.of(2, 2), 0, 1, 1, 0);
        List<MergeInputs.Source> s = List.of(source(a, "weight", 1.0), source(b, "weight", 1.0));
        float[] rowWise = merge("nuslerp", null, s, params("nuslerp_flatten", false, "nuslerp_row_wise", true));
        assertArrayEquals(new float[] {R, 1, R, 0}, rowWise, 1e-6f);
        float[] byRow = merge("nuslerp", null, s, params("nuslerp_flatten", false));
        assertFalse(Arrays.equals(rowWise, byRow), "rows (last dimension) are other vectors than columns");
    }

    @Test
    void karcherCountsTheBaseAsAnEqualMemberAndHasNoWeight() {
        TensorView x = of(F32, 1, 0);
        TensorView y = of(F32, 0, 1);
        float[] withBase = merge("karcher", x, List.of(source(y)), params());
        float[] asModels = merge("karcher", null, List.of(source(x), source(y)), params());
        assertArrayEquals(asModels, withBase, 0f);
        assertArrayEquals(new float[] {R, R}, asModels, 1e-6f);
        assertFalse(MergeMethods.byName("karcher").accepts("weight"));
    }

    @Test
    void karcherOfThreeMembersIsTheirSphericalMean() {
        // the mean of e1, e2, e3 on the sphere is their normalised sum, scaled by the mean norm (2)
        float[] out = merge("karcher", null, List.of(source(of(F32, 2, 0, 0)), source(of(F32, 0, 2, 0)),
                source(of(F32, 0, 0, 2))), params());
        float v = (float) (2 / Math.sqrt(3));
        assertArrayEquals(new float[] {v, v, v}, out, 1e-6f);
    }

    @Test
    void sceSharesOneTopKMaskTakenInFloat32() {
        // 360 elements of distinct variance: int(360 * 0.35) is 125 in double but 126 in float32, as in torch
        int n = 360;
        float[] b = new float[n];
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 1 + i;
            y[i] = -1 - i;   // the two deltas have opposite signs, so the variance is (1 + i)^2
        }
        float[] out = merge("sce", of(F32, b), List.of(source(of(F32, x)), source(of(F32, y))),
                params("select_topk", 0.35));
        long changed = Arrays.stream(box(out)).filter(v -> v != 0).count();
        assertEquals(126, changed);
        for (int i = 0; i < n - 126; i++) {
            assertEquals(0f, out[i], "low-variance element " + i + " is masked for every model");
        }
    }

    @Test
    void sceCountsAZeroVoteAsPositive() {
        // deltas +1 and -1 of equal weight: their sum 0 elects +, so only the positive delta is kept
        float[] out = merge("sce", of(F32, 0, 0), List.of(source(of(F32, 1, 1)), source(of(F32, -1, -1))), params());
        assertArrayEquals(new float[] {1, 1}, out, 0f);
    }

    @Test
    void sceWeighsEachModelByItsMeanSquaredTaskVector() {
        // mean squares 2 and 1: weights 2/3 and 1/3; element 1's zero delta has no sign and is left out there
        float[] out = merge("sce", of(F32, 0, 0), List.of(source(of(F32, 2, 0)), source(of(F32, 1, 1))), params());
        assertArrayEquals(new float[] {5f / 3, 1}, out, 1e-6f);
    }

    @Test
    void ramAveragesOnlyTheDeltasStrictlyAboveEpsilon() {
        // element 0: 0.5 is not above 0.5, so the mean of 1 and 3; element 1: only 3 is above, taken whole
        float[] out = merge("ram", of(F32, 0, 0), List.of(source(of(F32, 0.5f, 0.1f)), source(of(F32, 1, 0.2f)),
                source(of(F32, 3, 3))), params("epsilon", 0.5));
        assertArrayEquals(new float[] {2, 3}, out, 0f);
    }

    @Test
    void ramplusScalesSoleContributionsByTheSharedToUniqueRatio() {
        // model 1 contributes alone at element 0 and with model 2 at elements 1 and 2: rho = 2, clamped to
        // alpha 0.5, so its sole delta is scaled by 1 + 0.4 * 0.5 = 1.2; model 2 has no sole contribution
        float[] out = merge("ramplus_tl", of(F32, 0, 0, 0), List.of(source(of(F32, 1, 1, 1)),
                source(of(F32, 0, 3, 3))), params("epsilon", 0.5, "r", 0.4, "alpha", 0.5));
        assertArrayEquals(new float[] {1.2f, 2, 2}, out, 1e-6f);
    }

    @Test
    void nearswapRequiresT() {
        var e = assertThrows(IllegalArgumentException.class, () -> merge("nearswap", of(F32, 0),
                List.of(source(of(F32, 1))), params()));
        assertTrue(e.getMessage().contains("'t'"), e.getMessage());
    }

    @Test
    void nearswapTakesTheOtherModelWholeWithinTAndLessFartherOut() {
        float[] out = merge("nearswap", of(F32, 0, 0), List.of(source(of(F32, 0.1f, 2))), params("t", 0.5));
        assertArrayEquals(new float[] {0.1f, 0.5f}, out, 1e-7f);   // w = 1, then w = 0.5 / 2
    }

    @Test
    void arceeFusionKeepsOnlyEntriesAtOrAboveMedianPlusOnePointFiveIqr() {
        // one row per element pair; importances grow with |delta| and the row's KL, so one outlier is fused
        int n = 64;
        float[] b = new float[n];
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            b[i] = (i % 8) * 0.01f;
            x[i] = b[i] + (i == 37 ? 2f : 0.01f * ((i * 7) % 5));
        }
        TensorView base = of("w", F32, Shape.of(8, 8), b);
        float[] out = merge("arcee_fusion", base, List.of(source(of("w", F32, Shape.of(8, 8), x))), params());
        assertEquals(x[37], out[37]);
        long fused = 0;
        for (int i = 0; i < n; i++) {
            fused += out[i] != b[i] ? 1 : 0;
        }
        assertTrue(fused >= 1 && fused < n / 4, "fused " + fused);
    }

    @Test
    void arceeFusionSamplesLargeTensorsFromTheSeed() {
        int n = ArceeFusion.SAMPLE + 4096;
        float[] b = Tensors.random(1, n, 0.02);
        float[] x = Tensors.random(2, n, 0.02);
        for (int i = 0; i < n; i++) {
            x[i] += b[i];
        }
        TensorView base = of("w", F32, Shape.of(n / 64, 64), b);
        TensorView other = of("w", F32, Shape.of(n / 64, 64), x);
        long cols = ArceeFusion.columns(base);
        double[] kl = ArceeFusion.rowDivergences(other, base, cols);
        double t1 = ArceeFusion.threshold(other, base, kl, cols, 7L);
        assertEquals(t1, ArceeFusion.threshold(other, base, kl, cols, 7L), "same seed, same sample");
        assertNotEquals(t1, ArceeFusion.threshold(other, base, kl, cols, 8L), "another seed, another sample");
        assertTrue(MergeMethods.byName("arcee_fusion").seeded());
    }

    @Test
    void quantileIndexIsMergekitsFloat32Product() {
        assertEquals(159, ArceeFusion.quantileIndex(0.25, 640));
        assertEquals(319, ArceeFusion.quantileIndex(0.5, 640));
        assertEquals(479, ArceeFusion.quantileIndex(0.75, 640));
    }

    @Test
    void multislerpFallsBackToLinearForTwoAntipodalModels() {
        float[] out = merge("multislerp", null, List.of(source(of(F32, 1, 0), "weight", 1.0),
                source(of(F32, -1, 0), "weight", 1.0)), params());
        assertArrayEquals(new float[] {0, 0}, out, 0f);
        var e = assertThrows(IllegalArgumentException.class, () -> merge("multislerp", null, List.of(
                source(of(F32, 1, 0), "weight", 1.0), source(of(F32, -1, 0), "weight", 1.0),
                source(of(F32, 0, 0), "weight", 1.0)), params()));
        assertTrue(e.getMessage().contains("cancel"), e.getMessage());
    }

    @Test
    void multislerpOfTwoOrthogonalModelsIsTheirBisectorAtTheMeanNorm() {
        float[] out = merge("multislerp", null, List.of(source(of(F32, 2, 0), "weight", 1.0),
                source(of(F32, 0, 4), "weight", 1.0)), params());
        assertArrayEquals(new float[] {3 * R, 3 * R}, out, 1e-6f);
    }

    private static Float[] box(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
