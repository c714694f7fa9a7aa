package dev.evomerge.optimizer.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenetics.DoubleGene;
import io.jenetics.Phenotype;
import io.jenetics.engine.Limits;
import io.jenetics.ext.moea.MOEA;
import io.jenetics.ext.moea.Vec;
import io.jenetics.util.DoubleRange;
import io.jenetics.util.ISeq;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Nsga2Test {
    static final int DIM = 6;

    /** ZDT1 (both objectives minimised, so negated here): front f2 = 1 - sqrt(f1) where x2..xn = 0. */
    static double[] zdt1(double[] x) {
        double sum = 0;
        for (int i = 1; i < x.length; i++) {
            sum += x[i];
        }
        double g = 1 + 9 * sum / (x.length - 1);
        double f1 = x[0];
        double f2 = g * (1 - Math.sqrt(f1 / g));
        return new double[] {-f1, -f2};
    }

    /** Scores ZDT1 and keeps the first call's vectors: the random initial population. */
    static final class Zdt1 implements ObjectiveEvaluator {
        final List<double[]> initial = new ArrayList<>();
        int calls;

        public double[][] evaluate(List<double[]> genomes) {
            double[][] out = genomes.stream().map(Nsga2Test::zdt1).toArray(double[][]::new);
            if (calls++ == 0) {
                initial.addAll(List.of(out));
            }
            return out;
        }
    }

    static Nsga2 nsga2(ObjectiveEvaluator e, long seed) {
        return Nsga2.of(Nsga2.Settings.defaults(DIM, new DoubleRange(0, 1), 40), e, seed);
    }

    static ISeq<Phenotype<DoubleGene, Vec<double[]>>> front(Nsga2 n, long generations) {
        return n.stream().limit(Limits.byFixedGeneration(generations)).collect(MOEA.toParetoSet());
    }

    static boolean weaklyDominates(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] < b[i]) {
                return false;
            }
        }
        return true;
    }

    @Test
    void findsASpreadZdt1FrontThatDominatesTheInitialPopulation() {
        Zdt1 zdt1 = new Zdt1();
        var front = front(nsga2(zdt1, 3), 120);
        List<double[]> values = front.stream().map(p -> p.fitness().data()).toList();
        assertTrue(values.size() >= 10, "front size " + values.size());
        assertEquals(40, zdt1.initial.size());
        for (double[] start : zdt1.initial) {
            assertTrue(values.stream().anyMatch(v -> weaklyDominates(v, start) && !java.util.Arrays.equals(v, start)),
                    "an initial member is not dominated by the front: " + java.util.Arrays.toString(start));
        }
        double lo = values.stream().mapToDouble(v -> -v[0]).min().orElseThrow();
        double hi = values.stream().mapToDouble(v -> -v[0]).max().orElseThrow();
        assertTrue(lo < 0.1 && hi > 0.8, "f1 spread [" + lo + ", " + hi + "]");
        // Near the true front: f2 within 0.1 of 1 - sqrt(f1) on average.
        double gap = values.stream().mapToDouble(v -> -v[1] - (1 - Math.sqrt(-v[0]))).average().orElseThrow();
        assertTrue(gap < 0.1, "mean distance above the true front " + gap);
    }

    @Test
    void schafferFrontLiesBetweenTheTwoMinima() {
        ObjectiveEvaluator schaffer = genomes -> genomes.stream()
                .map(x -> new double[] {-x[0] * x[0], -(x[0] - 2) * (x[0] - 2)}).toArray(double[][]::new);
        var n = Nsga2.of(Nsga2.Settings.defaults(1, new DoubleRange(-10, 10), 20), schaffer, 5);
        var front = n.stream().limit(Limits.byFixedGeneration(40)).collect(MOEA.toParetoSet());
        double[] xs = front.stream().mapToDouble(p -> p.genotype().gene().allele()).toArray();
        assertTrue(xs.length >= 5, "front size " + xs.length);
        // Near the ends a point just outside [0, 2] stays non-dominated until one just inside is found.
        for (double x : xs) {
            assertTrue(x >= -0.1 && x <= 2.1, "Pareto-optimal x lies in [0, 2]: " + x);
        }
        assertTrue(java.util.Arrays.stream(xs).min().orElseThrow() < 0.3
                && java.util.Arrays.stream(xs).max().orElseThrow() > 1.7, "spread " + java.util.Arrays.toString(xs));
    }

    @Test
    void restoredStateContinuesIdentically() {
        Nsga2 a = nsga2(new Zdt1(), 8);
        front(a, 10);
        Nsga2 b = Nsga2.restore(a.settings(), new Zdt1(), a.state());
        front(a, 15);
        front(b, 15);
        assertEquals(a.generation(), b.generation());
        assertEquals(a.evaluations(), b.evaluations());
        Nsga2State sa = a.state();
        Nsga2State sb = b.state();
        assertArrayEquals(sa.rng(), sb.rng());
        for (int i = 0; i < sa.genomes().size(); i++) {
            assertArrayEquals(sa.genomes().get(i), sb.genomes().get(i));
            assertArrayEquals(sa.objectives().get(i), sb.objectives().get(i));
        }
    }
}
