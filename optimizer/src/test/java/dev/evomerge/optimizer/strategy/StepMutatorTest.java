package dev.evomerge.optimizer.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenetics.DoubleGene;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StepMutatorTest {

    @Test
    void movesAGeneByTheStepTimesItsRange() {
        StepMutator m = new StepMutator(0.3, 0.05);
        DoubleGene gene = DoubleGene.of(1.0, 0.0, 2.0);
        SplittableRandom random = new SplittableRandom(7);
        double sum = 0;
        double sumSq = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            double d = m.mutate(gene, random).doubleValue() - 1.0;
            sum += d;
            sumSq += d * d;
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSq / n - mean * mean);
        assertEquals(0.1, sd, 0.003, "sd of a move: 0.05 of the range 2");
        assertEquals(0.0, mean, 0.003);
    }

    @Test
    void keepsAMovedGeneInsideItsRange() {
        StepMutator m = new StepMutator(0.3, 0.5);
        SplittableRandom random = new SplittableRandom(3);
        for (double start : new double[] {0.0, 1.999}) {
            DoubleGene gene = DoubleGene.of(start, 0.0, 2.0);
            for (int i = 0; i < 1000; i++) {
                double v = m.mutate(gene, random).doubleValue();
                assertTrue(v >= 0.0 && v < 2.0, "moved to " + v);
            }
        }
    }

    @Test
    void refusesAStepThatMovesNothing() {
        assertThrows(IllegalArgumentException.class, () -> new StepMutator(0.3, 0));
    }
}
