package dev.evomerge.optimizer.digits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.optimizer.strategy.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MlpEvaluatorTest {
    static final DigitsData DATA = DigitsData.loadDefault();

    static double[] random(long seed, double sd) {
        Rng rng = Rng.seeded(seed);
        double[] p = new double[Mlp.PARAMS];
        for (int i = 0; i < p.length; i++) {
            p[i] = sd * rng.nextGaussian();
        }
        return p;
    }

    /** Straightforward double-precision forward pass: the specification of the fused kernel. */
    static int predict(double[] p, float[] x, int r) {
        double[] h = new double[Mlp.HIDDEN];
        for (int j = 0; j < Mlp.HIDDEN; j++) {
            double s = p[Mlp.B1 + j];
            for (int k = 0; k < Mlp.IN; k++) {
                s += x[r * Mlp.IN + k] * p[Mlp.w1(k, j)];
            }
            h[j] = Math.max(0, s);
        }
        int best = 0;
        double bestV = Double.NEGATIVE_INFINITY;
        for (int o = 0; o < Mlp.OUT; o++) {
            double s = p[Mlp.B2 + o];
            for (int j = 0; j < Mlp.HIDDEN; j++) {
                s += h[j] * p[Mlp.w2(j, o)];
            }
            if (s > bestV) {
                bestV = s;
                best = o;
            }
        }
        return best;
    }

    @Test
    void hasThePaperParameterCount() {
        assertEquals(19_210, Mlp.PARAMS);
    }

    @Test
    void fusedBatchAgreesWithAPlainForwardPass() {
        List<double[]> cands = List.of(random(1, 0.01), random(2, 0.1), random(3, 0.05));
        try (MlpEvaluator eval = new MlpEvaluator(DATA.trainX(), DATA.trainY(), 2)) {
            double[][] got = eval.evaluate(cands);
            int disagree = 0;
            for (int c = 0; c < cands.size(); c++) {
                for (int r = 0; r < DATA.trainSize(); r += 3) {
                    double want = predict(cands.get(c), DATA.trainX(), r) == DATA.trainY()[r] ? 1 : 0;
                    if (want != got[c][r]) {
                        disagree++;
                    }
                }
            }
            // float vs double can only flip near-ties; allow at most one in about 1,400 checks.
            assertTrue(disagree <= 1, disagree + " disagreements");
            assertEquals(3, eval.forwardPasses());
        }
    }

    @Test
    void batchingAndThreadsDoNotChangeScores() {
        List<double[]> cands = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            cands.add(random(10 + i, 0.05));
        }
        try (MlpEvaluator one = new MlpEvaluator(DATA.trainX(), DATA.trainY(), 1);
                MlpEvaluator two = new MlpEvaluator(DATA.trainX(), DATA.trainY(), 2)) {
            double[][] batched = two.evaluate(cands);
            for (int c = 0; c < cands.size(); c++) {
                assertArrayEquals(one.evaluate(List.of(cands.get(c)))[0], batched[c]);
            }
        }
    }

    @Test
    void trainerGradientMatchesFiniteDifferences() {
        DigitsData small = new DigitsData(java.util.Arrays.copyOf(DATA.trainX(), 20 * 64),
                java.util.Arrays.copyOf(DATA.trainY(), 20), DATA.testX(), DATA.testY());
        double[] p = random(5, 0.05);
        double[] g = MlpTrainer.gradient(p, small.trainX(), small.trainY());
        for (int i : new int[] {Mlp.w1(20, 3), Mlp.B1 + 7, Mlp.w2(11, 4), Mlp.B2 + 2}) {
            double eps = 1e-6;
            double[] a = p.clone();
            double[] b = p.clone();
            a[i] += eps;
            b[i] -= eps;
            double fd = (MlpTrainer.loss(a, small.trainX(), small.trainY()) - MlpTrainer.loss(b, small.trainX(), small.trainY())) / (2 * eps);
            assertEquals(fd, g[i], 1e-6 + 1e-4 * Math.abs(fd), "parameter " + i);
        }
    }

    @Test
    void specialistsLearnTheirHalfOfTheDigits() {
        DigitsData low = DATA.trainLabelsBetween(0, 4);
        double[] init = random(42, 0.01);
        double[] trained = MlpTrainer.adam(init, low, 0.003, 10);
        assertTrue(MlpTrainer.loss(trained, low.trainX(), low.trainY()) < MlpTrainer.loss(init, low.trainX(), low.trainY()));
        try (MlpEvaluator eval = new MlpEvaluator(low.trainX(), low.trainY(), 2)) {
            assertTrue(eval.accuracy(trained) > 0.5, "accuracy on digits 0-4: " + eval.accuracy(trained));
        }
    }
}
