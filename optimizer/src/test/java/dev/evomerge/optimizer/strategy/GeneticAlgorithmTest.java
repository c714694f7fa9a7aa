package dev.evomerge.optimizer.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenetics.DoubleChromosome;
import io.jenetics.DoubleGene;
import io.jenetics.engine.EvolutionResult;
import io.jenetics.engine.Limits;
import io.jenetics.util.DoubleRange;
import org.junit.jupiter.api.Test;

class GeneticAlgorithmTest {
    static final BatchEvaluator SHIFTED_SPHERE = BatchEvaluator.ofScalar(x -> {
        double s = 0;
        for (double v : x) {
            s += (v - 0.3) * (v - 0.3);
        }
        return -s;
    });

    static GeneticAlgorithm ga(long seed) {
        return GeneticAlgorithm.of(GeneticAlgorithm.Settings.defaults(5, new DoubleRange(-1, 1), 40), SHIFTED_SPHERE, seed);
    }

    static EvolutionResult<DoubleGene, Double> run(GeneticAlgorithm ga, long generations) {
        return ga.stream().limit(Limits.byFixedGeneration(generations)).collect(EvolutionResult.toBestEvolutionResult());
    }

    static double[] best(EvolutionResult<DoubleGene, Double> r) {
        return r.bestPhenotype().genotype().chromosome().as(DoubleChromosome.class).toArray();
    }

    @Test
    void findsTheShiftedSphereOptimum() {
        var r = run(ga(1), 150);
        assertTrue(r.bestFitness() > -1e-3, "best fitness " + r.bestFitness());
    }

    @Test
    void sameSeedGivesSameRun() {
        assertArrayEquals(best(run(ga(7), 30)), best(run(ga(7), 30)));
    }

    @Test
    void restoredStateContinuesIdentically() {
        GeneticAlgorithm a = ga(8);
        run(a, 10);
        GeneticAlgorithm b = GeneticAlgorithm.restore(a.settings(), SHIFTED_SPHERE, a.state());
        var ra = run(a, 15);
        var rb = run(b, 15);
        assertEquals(ra.generation(), rb.generation());
        assertArrayEquals(best(ra), best(rb));
        assertEquals(a.evaluations(), b.evaluations());
    }
}
