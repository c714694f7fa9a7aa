package dev.evomerge.results;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    @TempDir Path tmp;

    private static HistoryRecord rec(long gen, int i) {
        return new HistoryRecord(gen, i, new double[] {0.1 * i, -1.0 / 3}, "h" + gen + "-" + i,
                Map.of("math", 0.25 * i), 0.25 * i, 0.01, i % 2 == 0);
    }

    @Test
    void configIsWrittenOnceAndARunIsNotOverwritten() {
        RunDirectory run = RunDirectory.create(tmp.resolve("r"), "search:\n  seed: 1\n");
        assertEquals("search:\n  seed: 1\n", RunDirectory.open(tmp.resolve("r")).config());
        assertThrows(IllegalStateException.class, () -> RunDirectory.create(tmp.resolve("r"), "x"));
        assertThrows(IllegalArgumentException.class, () -> RunDirectory.open(tmp.resolve("nothing")));
        assertTrue(Files.isDirectory(run.checkpoints().folder()));
    }

    @Test
    void historyRoundTripsAndTruncatesUncheckpointedGenerations() throws Exception {
        RunDirectory run = RunDirectory.create(tmp, "c");
        run.appendHistory(List.of(rec(1, 0), rec(1, 1), rec(2, 0), rec(2, 1), rec(3, 0)));
        List<HistoryRecord> back = run.history();
        assertEquals(5, back.size());
        assertArrayEquals(new double[] {0.1, -1.0 / 3}, back.get(1).genes());
        assertEquals("h1-1", back.get(1).recipeHash());
        assertTrue(run.historyLines().get(0).contains("\"recipe_hash\":\"h1-0\""));
        assertTrue(run.historyLines().get(0).contains("\"cache_hit\":true"));
        Files.writeString(tmp.resolve(RunDirectory.HISTORY), "{\"generation\":3,\"ind", StandardOpenOption.APPEND);
        assertEquals(5, run.history().size(), "a torn last line is ignored");
        assertEquals(3, run.truncateHistoryAfter(1));
        assertEquals(2, run.history().size());
        run.appendHistory(List.of(rec(2, 0)));
        assertEquals(List.of(1L, 1L, 2L), run.history().stream().map(HistoryRecord::generation).toList());
    }

    @Test
    void metricsUnderTheirFullNamesRoundTripAndLinesWithoutThemStillRead() throws Exception {
        RunDirectory run = RunDirectory.create(tmp, "c");
        TaskMetrics gsm8k = new TaskMetrics("exact_match,flexible-extract",
                Map.of("exact_match,strict-match", 0.4, "exact_match,flexible-extract", 0.5));
        run.appendHistory(List.of(new HistoryRecord(1, 0, new double[] {0.5}, "h", Map.of("gsm8k", 0.5), 0.5, 1, false,
                "local", Map.of("gsm8k", gsm8k))));
        assertTrue(run.historyLines().getFirst().contains("\"metrics\":{\"gsm8k\":{\"metric\":\"exact_match,flexible-extract\""),
                run.historyLines().getFirst());
        assertEquals(Map.of("gsm8k", gsm8k), run.history().getFirst().metrics());
        // A line as written before the history held metrics: it reads, with none.
        Files.writeString(tmp.resolve(RunDirectory.HISTORY), "{\"generation\":1,\"index\":1,\"genes\":[0.1],"
                + "\"recipe_hash\":\"g\",\"scores\":{\"gsm8k\":0.3},\"fitness\":0.3,\"seconds\":1.0,\"cache_hit\":false}\n",
                StandardOpenOption.APPEND);
        assertEquals(Map.of(), run.history().get(1).metrics());
        assertFalse(RunDirectory.open(tmp).historyLines().get(1).contains("metrics"));
        run.appendCache(List.of(new CachedFitness("h", 1, Map.of("gsm8k", 0.5), new double[] {0.5}, 1, null,
                Map.of("gsm8k", gsm8k))));
        assertEquals(Map.of("gsm8k", gsm8k), run.loadCache().get("h").metrics());
    }

    @Test
    void aTaskMetricsFitnessMetricIsOneOfItsValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TaskMetrics("acc_norm,none", Map.of("acc,none", 0.5)));
        assertEquals("metric 'acc_norm,none' is not among [acc,none]", e.getMessage());
    }

    @Test
    void tornCacheLineIsToleratedAndCutBeforeTheNextAppend() throws Exception {
        RunDirectory run = RunDirectory.create(tmp, "c");
        run.appendCache(List.of(new CachedFitness("a", 1, Map.of("t", 0.5), new double[] {0, 1}, 2.0)));
        Files.writeString(tmp.resolve(RunDirectory.CACHE), "{\"recipe_hash\":\"b\",\"gener", StandardOpenOption.APPEND);
        Map<String, CachedFitness> cache = run.loadCache();
        assertEquals(List.of("a"), List.copyOf(cache.keySet()));
        assertArrayEquals(new double[] {0, 1}, cache.get("a").examples());
        run.appendCache(List.of(new CachedFitness("b", 2, Map.of(), new double[] {1}, 0)));
        assertEquals(List.of("a", "b"), List.copyOf(run.loadCache().keySet()));
        // a complete line that is garbage is an error, not silently skipped
        Files.writeString(tmp.resolve(RunDirectory.CACHE), "garbage\n", StandardOpenOption.APPEND);
        IllegalStateException e = assertThrows(IllegalStateException.class, run::loadCache);
        assertTrue(e.getMessage().contains(RunDirectory.CACHE), e.getMessage());
    }

    @Test
    void corruptLatestCheckpointFallsBackToThePreviousOne() throws Exception {
        RunDirectory run = RunDirectory.create(tmp, "c");
        SearchSnapshots c = run.checkpoints();
        for (int g = 1; g <= 5; g++) {
            c.write(g, ("{\"g\":" + g + "}").getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(List.of(3L, 4L, 5L), c.generations(), "only the newest are kept");
        SearchSnapshot latest = c.latest().orElseThrow();
        assertEquals(5, latest.generation());
        assertEquals("{\"g\":5}", new String(latest.payload(), StandardCharsets.UTF_8));
        assertTrue(latest.warnings().isEmpty());

        byte[] bytes = Files.readAllBytes(c.file(5));
        bytes[bytes.length - 2] ^= 1;   // flip one bit of the payload
        Files.write(c.file(5), bytes);
        SearchSnapshot fallback = c.latest().orElseThrow();
        assertEquals(4, fallback.generation());
        assertEquals(1, fallback.warnings().size());
        assertTrue(fallback.warnings().get(0).contains("gen-000005.ckpt"), fallback.warnings().get(0));
        assertTrue(fallback.warnings().get(0).contains("checksum"), fallback.warnings().get(0));

        Files.write(c.file(4), new byte[] {1, 2});   // truncated
        assertEquals(3, c.latest().orElseThrow().generation());
        Files.write(c.file(3), new byte[0]);
        assertThrows(CorruptCheckpointException.class, c::latest);
    }

    @Test
    void paretoAndBestRecipeAreWritten() throws Exception {
        RunDirectory run = RunDirectory.create(tmp, "c");
        run.writePareto(List.of(Map.of("recipe_hash", "a", "scores", List.of(1.0, 2.0))));
        run.writeBestRecipe("merge_method: linear\n");
        assertTrue(Files.readString(tmp.resolve(RunDirectory.PARETO)).contains("\"recipe_hash\""));
        assertEquals("merge_method: linear\n", Files.readString(tmp.resolve(RunDirectory.BEST_RECIPE)));
        assertTrue(SearchSnapshots.sha256(new byte[0]).startsWith("e3b0c442"));
    }
}
