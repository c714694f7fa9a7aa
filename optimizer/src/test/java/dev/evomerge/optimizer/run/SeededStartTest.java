package dev.evomerge.optimizer.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.optimizer.strategy.BatchEvaluator;
import dev.evomerge.optimizer.strategy.CmaState;
import dev.evomerge.optimizer.strategy.M2n2State;
import dev.evomerge.results.HistoryRecord;
import dev.evomerge.results.RunDirectory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every seeded strategy scores the seed points first, starts from them, and never ends below the best of them. */
class SeededStartTest {
    @TempDir Path tmp;

    private static double bestSeedFitness() {
        double best = Double.NEGATIVE_INFINITY;
        for (double[] s : Synthetic.SEEDS) {
            best = Math.max(best, BatchEvaluator.fitness(Synthetic.score(Synthetic.space().decode(s)).examples()));
        }
        return best;
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "cma-es-seeded", "ga-seeded", "m2n2-seeded"})
    void firstGenerationIsTheSeedsAndTheResultIsNoWorse(String name) throws Exception {
        RunDirectory run = RunDirectory.create(tmp.resolve(name), "x: 1\n");
        SearchLoop loop = SearchLoop.start(run, Synthetic.space(), Synthetic.factory(name),
                new Synthetic.CountingEvaluator(), RunLimits.generations(Long.MAX_VALUE).withMaxEvaluations(30), r -> {});
        assertNull(loop.strategy(), "the strategy is built only once the seeds are scored");
        SearchLoop.Result result = loop.run();
        List<HistoryRecord> history = run.history();
        for (int i = 0; i < Synthetic.SEEDS.size(); i++) {
            assertEquals(1, history.get(i).generation());
            assertArrayEquals(Synthetic.SEEDS.get(i), history.get(i).genes());
        }
        assertEquals(2, history.get(Synthetic.SEEDS.size()).generation());
        assertTrue(result.bestFitness() >= bestSeedFitness());
        assertEquals("max_evaluations", result.stopReason());
        assertTrue(result.evaluations() >= 30 && result.evaluations() < 30 + 8, "evaluations " + result.evaluations());
    }

    @Test
    void cmaEsCentresItsFirstMeanOnTheBestSeed() throws Exception {
        RunDirectory run = RunDirectory.create(tmp.resolve("cma"), "x: 1\n");
        SearchLoop loop = SearchLoop.start(run, Synthetic.space(), Synthetic.factory("cma-es-seeded"),
                new Synthetic.CountingEvaluator(), RunLimits.generations(1), r -> {});
        loop.run();
        // {0.25 x4} is nearest the target {0.2, 0.7, 0.4, 0.9} among the seeds
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, ((CmaState) loop.strategy().state()).mean());
    }

    @Test
    void m2n2ArchiveStartsAsTheBestSeeds() throws Exception {
        RunDirectory run = RunDirectory.create(tmp.resolve("m2n2"), "x: 1\n");
        SearchLoop loop = SearchLoop.start(run, Synthetic.space(), Synthetic.factory("m2n2-seeded"),
                new Synthetic.CountingEvaluator(), RunLimits.generations(1), r -> {});
        loop.run();
        M2n2State s = (M2n2State) loop.strategy().state();
        assertEquals(6, s.genomes().size(), "archive of 6 from 7 seeds");
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, s.genomes().getFirst());
        assertEquals(0, s.pendingSeeds().size(), "nothing is scored twice");
    }
}
