package dev.evomerge.optimizer.run;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.results.RunDirectory;
import dev.evomerge.results.RunJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class SearchLoopResumeTest {
    static final int GENERATIONS = 14;
    @TempDir Path tmp;

    /** History lines without the timing field, which legitimately differs between runs. */
    static List<String> history(RunDirectory run) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : run.historyLines()) {
            ObjectNode n = (ObjectNode) RunJson.mapper().readTree(line);
            n.remove("seconds");
            out.add(n.toString());
        }
        return out;
    }

    static String state(SearchLoop loop) {
        return RunJson.mapper().valueToTree(loop.strategy().state()).toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cma-es", "ga", "m2n2", "nsga2", "random", "cma-es-seeded", "ga-seeded", "m2n2-seeded"})
    void resumedAfterStopsAndCrashesEqualsUninterrupted(String name) throws Exception {
        var space = Synthetic.space();
        var refEval = new Synthetic.CountingEvaluator();
        RunDirectory ref = RunDirectory.create(tmp.resolve("ref"), "algorithm: " + name + "\n");
        List<String> logs = new ArrayList<>();
        SearchLoop refLoop = SearchLoop.start(ref, space, Synthetic.factory(name), refEval,
                RunLimits.generations(GENERATIONS), r -> logs.add(r.logLine()));
        SearchLoop.Result refResult = refLoop.run();
        assertEquals(GENERATIONS, logs.size());
        assertTrue(logs.getLast().startsWith("gen " + GENERATIONS + " | best "), logs.getLast());
        assertEquals(0, refEval.duplicates);
        assertTrue(refResult.evaluations() > refResult.freshEvaluations(), "the rounded space must produce cache hits");
        List<String> expected = history(ref);
        assertEquals(refResult.evaluations(), expected.size());

        Random random = new Random(name.hashCode());
        Path dir = tmp.resolve("interrupted");
        RunDirectory.create(dir, "algorithm: " + name + "\n");
        var eval = new Synthetic.CountingEvaluator();
        List<String> warnings = new ArrayList<>();
        List<String> crashes = new ArrayList<>();
        SearchLoop loop = null;
        long target = 0;
        boolean first = true;
        while (true) {
            RunDirectory run = RunDirectory.open(dir);
            target = Math.min(GENERATIONS, target + 1 + random.nextInt(3));
            // 0: clean stop at a generation boundary
            // 1: killed after generation target+1's history and cache lines, before its checkpoint
            // 2: as 1, plus torn half lines left in history and cache
            // 3: killed inside the evaluator during generation target+1
            int crash = target == GENERATIONS ? 0 : crashes.size() % 4;
            RunLimits limits = RunLimits.generations(crash == 0 ? target : target + 1);
            loop = first ? SearchLoop.start(run, space, Synthetic.factory(name), eval, limits, null)
                    : SearchLoop.resume(run, space, Synthetic.factory(name), eval, limits, null, warnings::add);
            first = false;
            if (target == GENERATIONS) {
                break;
            }
            crashes.add(target + ":" + crash);
            if (crash == 1 || crash == 2) {
                withCrashBeforeCheckpoint(loop, target + 1);
            }
            if (crash == 3) {
                long before = loop.generation();
                eval.failOnCall = eval.calls + 1;
                // in generation target+1 (GA may call twice in its first generation; any call will do)
                assertTrue(before <= target);
            }
            boolean crashed = false;
            try {
                loop.run();
            } catch (IllegalStateException e) {
                crashed = true;
                assertTrue(e.getMessage().startsWith("simulated"), e.getMessage());
            }
            if (crash == 3 && !crashed) {
                // every call of this session was a cache miss-free generation: no evaluator call happened
                crashes.set(crashes.size() - 1, target + ":3(no evaluator call)");
            } else {
                assertEquals(crash != 0, crashed, "crash kind " + crash + " at " + target);
            }
            eval.failOnCall = -1;
            if (crash == 2) {
                Files.writeString(dir.resolve(RunDirectory.HISTORY), "{\"generation\":" + (target + 1) + ",\"ind",
                        StandardOpenOption.APPEND);
                Files.writeString(dir.resolve(RunDirectory.CACHE), "{\"recipe_hash\":\"ab", StandardOpenOption.APPEND);
            }
        }
        SearchLoop.Result result = loop.run();
        assertTrue(crashes.size() >= 4, "every kind of interruption happens: " + crashes);
        assertEquals(expected, history(RunDirectory.open(dir)), "crashes " + crashes);
        assertTrue(warnings.stream().anyMatch(w -> w.contains("dropped")), warnings.toString());
        assertEquals(state(refLoop), state(loop));
        assertEquals(refResult.evaluations(), result.evaluations());
        assertEquals(refResult.freshEvaluations(), result.freshEvaluations());
        assertEquals(refResult.bestFitness(), result.bestFitness());
        assertEquals(refResult.bestRecipeHash(), result.bestRecipeHash());
        assertEquals(0, eval.duplicates, "a recipe was evaluated twice across resume");
        assertEquals(Files.readString(tmp.resolve("ref").resolve(RunDirectory.BEST_RECIPE)),
                Files.readString(dir.resolve(RunDirectory.BEST_RECIPE)));
    }

    /** Synthetic scores that name their first task's metric, as evaluators do since the history holds metrics. */
    private static final RecipeEvaluator NAMED = recipes -> recipes.stream().map(r -> {
        CandidateScores s = Synthetic.score(r);
        return s.withMetrics(java.util.Map.of("first", new dev.evomerge.results.TaskMetrics("acc,none",
                java.util.Map.of("acc,none", s.tasks().get("first")))));
    }).toList();

    @Test
    void aRunWrittenBeforeTheHistoryHeldMetricsResumesAndAddsThem() throws Exception {
        var space = Synthetic.space();
        RunDirectory ref = RunDirectory.create(tmp.resolve("ref"), "algorithm: cma-es\n");
        SearchLoop.Result refResult = SearchLoop.start(ref, space, Synthetic.factory("cma-es"), NAMED,
                RunLimits.generations(6), null).run();
        // An evaluator without metrics writes lines and cache entries as evomerge did before it recorded them.
        Path dir = tmp.resolve("old");
        SearchLoop.start(RunDirectory.create(dir, "algorithm: cma-es\n"), space, Synthetic.factory("cma-es"),
                new Synthetic.CountingEvaluator(), RunLimits.generations(3), null).run();
        assertTrue(RunDirectory.open(dir).historyLines().stream().noneMatch(l -> l.contains("metrics")));
        assertTrue(Files.readAllLines(dir.resolve(RunDirectory.CACHE)).stream().noneMatch(l -> l.contains("metrics")));

        SearchLoop.Result result = SearchLoop.resume(RunDirectory.open(dir), space, Synthetic.factory("cma-es"), NAMED,
                RunLimits.generations(6), null, w -> { }).run();
        assertEquals(refResult.bestFitness(), result.bestFitness());
        assertEquals(refResult.evaluations(), result.evaluations());
        var history = RunDirectory.open(dir).history();
        assertEquals(6, history.getLast().generation());
        // Recipes scored after the resume have metrics, also when met again; those scored before have none.
        java.util.Set<String> scoredAfter = new java.util.HashSet<>();
        history.stream().filter(r -> r.generation() > 3 && !r.cacheHit()).forEach(r -> scoredAfter.add(r.recipeHash()));
        for (var r : history) {
            assertEquals(scoredAfter.contains(r.recipeHash()) ? java.util.Set.of("first") : java.util.Set.of(),
                    r.metrics().keySet(), r.toString());
        }
        assertTrue(history.stream().anyMatch(r -> r.generation() > 3 && !r.cacheHit()), "the resumed run scored some");
    }

    /** Makes the loop throw after generation {@code crashAt}'s history is written, as a kill would. */
    private static void withCrashBeforeCheckpoint(SearchLoop loop, long crashAt) {
        loop.beforeCheckpoint = () -> {
            if (loop.generation() == crashAt) {
                throw new IllegalStateException("simulated kill before checkpoint " + crashAt);
            }
        };
    }

    @Test
    void paretoFrontSurvivesResume() throws Exception {
        var space = Synthetic.space();
        RunDirectory ref = RunDirectory.create(tmp.resolve("ref"), "c");
        SearchLoop refLoop = SearchLoop.start(ref, space, Synthetic.factory("ga"), new Synthetic.CountingEvaluator(),
                RunLimits.generations(6), null).trackPareto(List.of("first", "second"));
        refLoop.run();
        assertFalse(refLoop.pareto().members().isEmpty());

        Path dir = tmp.resolve("b");
        var eval = new Synthetic.CountingEvaluator();
        SearchLoop a = SearchLoop.start(RunDirectory.create(dir, "c"), space, Synthetic.factory("ga"), eval,
                RunLimits.generations(4), null).trackPareto(List.of("first", "second"));
        withCrashBeforeCheckpoint(a, 4);
        assertThrows(IllegalStateException.class, a::run);
        SearchLoop b = SearchLoop.resume(RunDirectory.open(dir), space, Synthetic.factory("ga"), eval,
                RunLimits.generations(6), null, null).trackPareto(List.of("first", "second"));
        b.run();
        assertEquals(Files.readString(tmp.resolve("ref").resolve(RunDirectory.PARETO)),
                Files.readString(dir.resolve(RunDirectory.PARETO)));
    }

    @Test
    void corruptLatestCheckpointFallsBackAndStillMatches() throws Exception {
        var space = Synthetic.space();
        RunDirectory ref = RunDirectory.create(tmp.resolve("ref"), "c");
        SearchLoop refLoop = SearchLoop.start(ref, space, Synthetic.factory("m2n2"), new Synthetic.CountingEvaluator(),
                RunLimits.generations(8), null);
        refLoop.run();

        Path dir = tmp.resolve("b");
        var eval = new Synthetic.CountingEvaluator();
        SearchLoop.start(RunDirectory.create(dir, "c"), space, Synthetic.factory("m2n2"), eval, RunLimits.generations(5), null).run();
        RunDirectory run = RunDirectory.open(dir);
        Path latest = run.checkpoints().file(5);
        byte[] bytes = Files.readAllBytes(latest);
        bytes[bytes.length / 2] ^= 4;
        Files.write(latest, bytes);
        List<String> warnings = new ArrayList<>();
        SearchLoop resumed = SearchLoop.resume(run, space, Synthetic.factory("m2n2"), eval, RunLimits.generations(8), null,
                warnings::add);
        assertEquals(4, resumed.generation());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("gen-000005.ckpt") && w.contains("checksum")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("dropped")), warnings.toString());
        resumed.run();
        assertEquals(history(ref), history(run));
        assertEquals(state(refLoop), state(resumed));
        assertEquals(0, eval.duplicates, "generation 5's recipes come from the cache, not the evaluator");
    }

    @Test
    void resumeRefusesAnotherStrategyAndLimitsStopTheRun() throws Exception {
        var space = Synthetic.space();
        RunDirectory run = RunDirectory.create(tmp, "c");
        SearchLoop.Result r = SearchLoop.start(run, space, Synthetic.factory("ga"), new Synthetic.CountingEvaluator(),
                RunLimits.generations(100).withMaxEvaluations(30), null).run();
        assertEquals("max_evaluations", r.stopReason());
        assertTrue(r.evaluations() >= 30 && r.evaluations() < 30 + 16, "evaluations " + r.evaluations());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchLoop.resume(run, space,
                Synthetic.factory("cma-es"), new Synthetic.CountingEvaluator(), RunLimits.generations(5), null, null));
        assertTrue(e.getMessage().contains("'ga'") && e.getMessage().contains("'cma-es'"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> SearchLoop.start(run, space, Synthetic.factory("ga"),
                new Synthetic.CountingEvaluator(), RunLimits.generations(5), null));
        SearchLoop.Result timed = SearchLoop.resume(run, space, Synthetic.factory("ga"), new Synthetic.CountingEvaluator(),
                RunLimits.generations(1000).withWallTime(java.time.Duration.ZERO), null, null).run();
        assertEquals("wall_time", timed.stopReason());
        JsonNode ck = RunJson.mapper().readTree(run.checkpoints().latest().orElseThrow().payload());
        assertEquals("ga", ck.get("strategy").asText());
        assertTrue(ck.get("state").has("rng"));
    }

    @Test
    void resumeRefusesACheckpointOfAnotherFormat() throws Exception {
        var space = Synthetic.space();
        RunDirectory run = RunDirectory.create(tmp, "c");
        SearchLoop.start(run, space, Synthetic.factory("ga"), new Synthetic.CountingEvaluator(),
                RunLimits.generations(2), null).run();
        long gen = run.checkpoints().latest().orElseThrow().generation();
        var ck = (com.fasterxml.jackson.databind.node.ObjectNode) RunJson.mapper().readTree(
                run.checkpoints().latest().orElseThrow().payload());
        ck.put("format", SearchCheckpoint.FORMAT + 1);
        run.checkpoints().write(gen + 1, RunJson.mapper().writeValueAsBytes(ck));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchLoop.resume(run, space,
                Synthetic.factory("ga"), new Synthetic.CountingEvaluator(), RunLimits.generations(5), null, null));
        assertTrue(e.getMessage().contains("checkpoint format " + (SearchCheckpoint.FORMAT + 1)
                + ", but this evomerge reads format " + SearchCheckpoint.FORMAT), e.getMessage());
    }
}
