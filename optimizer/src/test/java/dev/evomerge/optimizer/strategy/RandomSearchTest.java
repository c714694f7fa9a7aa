package dev.evomerge.optimizer.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RandomSearchTest {
    private static final double[] LO = {-1, -1, -1, -1, -1};
    private static final double[] HI = {3, 3, 3, 3, 3};

    /** Positive per-gene scores peaking at 1.5 (inside the box, away from its centre). */
    private static double[][] score(List<double[]> xs) {
        double[][] out = new double[xs.size()][];
        for (int k = 0; k < out.length; k++) {
            double[] x = xs.get(k);
            out[k] = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[k][i] = Math.exp(-(x[i] - 1.5) * (x[i] - 1.5));
            }
        }
        return out;
    }

    @Test
    void uniformSamplesFirstThenClimbsCloseToTheOptimum() {
        RandomSearch r = RandomSearch.of(LO, HI, 6, 30, List.of(), 3);
        int uniform = 0;
        while (r.evaluations() < 30) {
            List<double[]> xs = r.ask();
            uniform += xs.size();
            r.tell(xs, score(xs));
        }
        assertEquals(30, uniform);
        double afterUniform = r.best().fitness();
        while (r.evaluations() < 600) {
            List<double[]> xs = r.ask();
            for (double[] x : xs) {
                for (int i = 0; i < x.length; i++) {
                    assertTrue(x[i] >= LO[i] && x[i] <= HI[i]);
                }
            }
            r.tell(xs, score(xs));
        }
        assertTrue(r.best().fitness() > afterUniform);
        assertTrue(r.best().fitness() > 0.99, "fitness " + r.best().fitness());
        assertTrue(r.step() < RandomSearch.FIRST_STEP, "the step shrinks once the climb stalls");
    }

    @Test
    void climbStartsFromTheBestSeedAndNeverReportsWorse() {
        double[] seed = {1.5, 1.5, 1.5, 1.5, 1.4};
        Candidate c = Candidate.of(seed, score(List.of(seed))[0]);
        RandomSearch r = RandomSearch.of(LO, HI, 4, 0, List.of(c), 9);
        List<double[]> xs = r.ask();
        assertEquals(4, xs.size());
        r.tell(xs, score(xs));
        assertTrue(r.best().fitness() >= c.fitness());
    }

    @Test
    void stepShrinksOnlyAfterARoundWithoutImprovement() {
        double[] optimum = {1.5, 1.5, 1.5, 1.5, 1.5};
        RandomSearch r = RandomSearch.of(LO, HI, 3, 0, List.of(Candidate.of(optimum, score(List.of(optimum))[0])), 1);
        List<double[]> xs = r.ask();
        r.tell(xs, score(xs));
        assertEquals(RandomSearch.FIRST_STEP * RandomSearch.SHRINK, r.step(), 1e-12);
    }

    @Test
    void restoredRunContinuesIdentically() {
        RandomSearch a = RandomSearch.of(LO, HI, 5, 10, List.of(), 11);
        for (int g = 0; g < 4; g++) {
            List<double[]> xs = a.ask();
            a.tell(xs, score(xs));
        }
        RandomSearch b = RandomSearch.restore(LO, HI, 5, 10, a.state());
        List<double[]> fromA = new ArrayList<>();
        List<double[]> fromB = new ArrayList<>();
        for (int g = 0; g < 5; g++) {
            List<double[]> xa = a.ask();
            List<double[]> xb = b.ask();
            fromA.addAll(xa);
            fromB.addAll(xb);
            a.tell(xa, score(xa));
            b.tell(xb, score(xb));
        }
        for (int i = 0; i < fromA.size(); i++) {
            assertArrayEquals(fromA.get(i), fromB.get(i));
        }
    }
}
