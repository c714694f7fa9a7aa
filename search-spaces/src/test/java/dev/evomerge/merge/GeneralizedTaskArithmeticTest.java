package dev.evomerge.merge;

import static dev.evomerge.merge.Tensors.merge;
import static dev.evomerge.merge.Tensors.of;
import static dev.evomerge.merge.Tensors.params;
import static dev.evomerge.merge.Tensors.source;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.TensorView;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeneralizedTaskArithmeticTest {

    private static final DType F32 = DType.F32;

    @Test
    void linearIsTheNormalisedWeightedSum() {
        TensorView a = of(F32, 1, 2, 3);
        TensorView b = of(F32, 3, 6, -3);
        // (1*a + 3*b) / 4: (1+9)/4 = 2.5, (2+18)/4 = 5, (3-9)/4 = -1.5
        float[] out = merge("linear", null, List.of(source(a, "weight", 1), source(b, "weight", 3)), params());
        assertArrayEquals(new float[] {2.5f, 5f, -1.5f}, out);
        // without normalize: 1+9 = 10, 2+18 = 20, 3-9 = -6
        out = merge("linear", null, List.of(source(a, "weight", 1), source(b, "weight", 3)),
                params("normalize", false));
        assertArrayEquals(new float[] {10f, 20f, -6f}, out);
    }

    @Test
    void taskArithmeticAddsWeightedDeltasScaledByLambda() {
        TensorView base = of(F32, 1, 1, 1);
        TensorView a = of(F32, 2, 1, 0);      // delta  1, 0, -1
        TensorView b = of(F32, 1, 3, 1);      // delta  0, 2,  0
        // base + 2 * (0.5 * da + 0.25 * db) = 1 + 2*(0.5, 0.5, -0.5) = (2, 2, 0)
        float[] out = merge("task_arithmetic", base,
                List.of(source(a, "weight", 0.5), source(b, "weight", 0.25)), params("lambda", 2.0));
        assertArrayEquals(new float[] {2f, 2f, 0f}, out);
        // normalize divides by 0.75: 1 + (0.5, 0.5, -0.5) / 0.75
        out = merge("task_arithmetic", base, List.of(source(a, "weight", 0.5), source(b, "weight", 0.25)),
                params("normalize", true));
        assertArrayEquals(new float[] {1 + 0.5f / 0.75f, 1 + 0.5f / 0.75f, 1 - 0.5f / 0.75f}, out, 1e-6f);
    }

    @Test
    void taskArithmeticWithZeroWeightSumDoesNotDivide() {
        TensorView base = of(F32, 0, 0);
        // weights 1 and -1 sum to 0: the divisor falls back to 1; deltas (1,2)*1 + (3,5)*-1 = (-2, -3)
        float[] out = merge("task_arithmetic", base, List.of(source(of(F32, 1, 2), "weight", 1),
                source(of(F32, 3, 5), "weight", -1)), params("normalize", true));
        assertArrayEquals(new float[] {-2f, -3f}, out);
    }

    @Test
    void tiesElectsTheSignOfTheSummedDeltasAndAveragesTheAgreeingOnes() {
        TensorView base = of(F32, 0, 0, 0, 0);
        TensorView a = of(F32, 4, -1, 2, 0);
        TensorView b = of(F32, -1, -2, 3, 5);
        TensorView c = of(F32, -2, 6, -1, 0);
        // density 1: no pruning. Element 0: sum 4-1-2 = 1 >= 0 -> +, only a agrees: 4/1 = 4.
        // Element 1: sum -1-2+6 = 3 -> +, only c: 6. Element 2: sum 4 -> +, a and b: (2+3)/2 = 2.5.
        // Element 3: sum 5 -> +, only b (zeros never agree): 5.
        float[] out = merge("ties", base, List.of(source(a, "weight", 1), source(b, "weight", 1),
                source(c, "weight", 1)), params());
        assertArrayEquals(new float[] {4f, 6f, 2.5f, 5f}, out);
    }

    @Test
    void tiesPrunesToTheLargestMagnitudesBeforeElecting() {
        TensorView base = of(F32, 1, 1, 1, 1);
        TensorView a = of(F32, 1.5f, 5, 0, 1.1f);   // delta 0.5, 4, -1, 0.1 ; density 0.5 keeps k=2: 4, -1
        TensorView b = of(F32, 3, -2, 1.2f, 1);     // delta 2, -3, 0.2, 0   ; keeps 2, -3
        // weights 1: element 0: only b (2) -> +2; element 1: 4 - 3 = 1 -> +, a: 4; element 2: a -1 -> -1;
        // element 3: nothing kept -> 0. normalize (ties default) divides by the agreeing weights (1 each).
        float[] out = merge("ties", base, List.of(source(a, "weight", 1, "density", 0.5),
                source(b, "weight", 1, "density", 0.5)), params());
        assertArrayEquals(new float[] {3f, 5f, 0f, 1f}, out);
    }

    @Test
    void countConsensusFollowsTheMajorityOfSigns() {
        GeneralizedTaskArithmetic m = new GeneralizedTaskArithmetic("ties_count", Sparsification.NONE,
                Consensus.COUNT, true, false, true);
        TensorView base = of(F32, 0);
        // signs +, -, - : majority -, although the sum 10-1-1 = 8 is positive; mean of -1, -1 = -1
        var out = java.lang.foreign.Arena.ofAuto().allocate(4);
        m.merge(new MergeInputs(base, List.of(source(of(F32, 10), "weight", 1), source(of(F32, -1), "weight", 1),
                source(of(F32, -1), "weight", 1)), params(), 0), out, F32);
        assertEquals(-1f, Tensors.read(out, F32)[0]);
    }

    @Test
    void dareIsSeededKeepsAboutDensityAndPreservesTheExpectedDelta() {
        int n = 200_000;
        TensorView base = of(F32, new float[n]);
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        TensorView a = of(F32, ones);
        List<MergeInputs.Source> s = List.of(source(a, "weight", 1, "density", 0.3));
        float[] one = merge("dare_linear", base, s, params("rescale", false), 7, F32);
        float[] same = merge("dare_linear", base, s, params("rescale", false), 7, F32);
        float[] other = merge("dare_linear", base, s, params("rescale", false), 8, F32);
        assertArrayEquals(one, same);
        assertFalse(Arrays.equals(one, other));
        long kept = 0;
        for (float v : one) {
            kept += v != 0 ? 1 : 0;
        }
        // binomial(200000, 0.3): sd ~ 205, so 0.3 +- 0.005 is > 4 sd
        assertEquals(0.3, kept / (double) n, 0.005);
        // rescale (dare default): the L1 norm is restored, so the mean delta stays 1
        float[] rescaled = merge("dare_linear", base, s, params(), 7, F32);
        double mean = 0;
        for (float v : rescaled) {
            mean += v;
        }
        assertEquals(1.0, mean / n, 1e-6);
        for (int i = 0; i < n; i++) {
            assertEquals(one[i] != 0 ? (float) (n / (double) kept) : 0f, rescaled[i], 1e-3f);
        }
    }

    @Test
    void dareTiesMasksEachSourceIndependently() {
        int n = 100_000;
        TensorView base = of(F32, new float[n]);
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        float[] out = merge("dare_ties", base, List.of(source(of(F32, ones), "weight", 1, "density", 0.5),
                source(of(F32, ones), "weight", 1, "density", 0.5)), params("rescale", false), 3, F32);
        long both = 0;
        for (float v : out) {
            both += v == 2f ? 1 : 0;
        }
        // independent masks: both kept with probability 0.25 (sd ~ 137)
        assertEquals(0.25, both / (double) n, 0.006);
    }

    @Test
    void breadcrumbsDropsTheLargestOutliersAndTheSmallest() {
        int n = 100;
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = i + 1;   // magnitudes 1..100
        }
        // gamma 0.1 -> drop the 10 largest (91..100); density 0.5 -> keep the next 50 (41..90)
        float[] out = merge("breadcrumbs", of(F32, new float[n]), List.of(source(of(F32, d), "weight", 1,
                "density", 0.5, "gamma", 0.1)), params());
        for (int i = 0; i < n; i++) {
            float want = (i + 1 >= 41 && i + 1 <= 90) ? i + 1 : 0;
            assertEquals(want, out[i], "element " + i);
        }
    }

    @Test
    void dellaKeepsAboutDensityWithLargerMagnitudesMoreOften() {
        int rows = 50;
        int cols = 1000;
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = (i % cols) + 1;   // every row ranks its columns in order
        }
        TensorView base = of("w", F32, dev.evomerge.checkpoint.Shape.of(rows, cols), new float[d.length]);
        TensorView a = of("w", F32, dev.evomerge.checkpoint.Shape.of(rows, cols), d);
        float[] out = merge("della_linear", base, List.of(source(a, "weight", 1, "density", 0.5, "epsilon", 0.2)),
                params("rescale", false), 5, F32);
        long low = 0;
        long high = 0;
        for (int i = 0; i < out.length; i++) {
            if (out[i] != 0) {
                if (i % cols < 100) {
                    low++;
                } else if (i % cols >= 900) {
                    high++;
                }
            }
        }
        // keep probability rises linearly 0.3 -> 0.7 across a row: ~0.32 in the first 10%, ~0.68 in the last
        assertEquals(0.32, low / 5000.0, 0.04);
        assertEquals(0.68, high / 5000.0, 0.04);
        assertArrayEquals(out, merge("della_linear", base, List.of(source(a, "weight", 1, "density", 0.5,
                "epsilon", 0.2)), params("rescale", false), 5, F32));
    }

    @Test
    void aMissingBaseIsAnErrorNamingTheTensor() {
        var e = assertThrows(IllegalArgumentException.class, () -> merge("ties", null,
                List.of(source(of(F32, 1), "weight", 1)), params()));
        assertTrue(e.getMessage().contains("base_model"), e.getMessage());
    }

    @Test
    void aDensityThatWouldKeepNoElementKeepsTheLargest() {
        // mergekit refuses density * n < 1; a search proposes it for small tensors, so one element survives.
        assertArrayEquals(new float[] {0, 2}, merge("ties", of(F32, 0, 0),
                List.of(source(of(F32, 1, 2), "weight", 1, "density", 0.4)), params()), 0f);
    }
}
