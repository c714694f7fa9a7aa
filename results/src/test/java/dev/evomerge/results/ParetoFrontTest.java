package dev.evomerge.results;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParetoFrontTest {
    @TempDir Path tmp;

    private static HistoryRecord r(String hash, double a, double b) {
        return new HistoryRecord(1, 0, new double[] {a}, hash, Map.of("a", a, "b", b), (a + b) / 2, 0, false);
    }

    @Test
    void keepsOnlyNonDominatedCandidates() throws Exception {
        ParetoFront f = new ParetoFront(List.of("a", "b"));
        assertTrue(f.offer(r("x", 1, 1)));
        assertTrue(f.offer(r("y", 2, 0)));
        assertFalse(f.offer(r("z", 0.5, 0.5)), "dominated by x");
        assertFalse(f.offer(r("x", 1, 1)), "same recipe again");
        assertTrue(f.offer(r("w", 1, 1)), "an equal vector of another recipe is not dominated");
        assertTrue(f.offer(r("v", 3, 2)), "dominates everything");
        assertEquals(List.of("v"), f.members().stream().map(ParetoFront.Member::recipeHash).toList());
        assertThrows(IllegalArgumentException.class, () -> f.offer(new HistoryRecord(1, 0, new double[0], "q",
                Map.of("a", 1.0), 1, 0, false)));
        RunDirectory run = RunDirectory.create(tmp, "c");
        run.writePareto(f.snapshot());
        String json = Files.readString(tmp.resolve(RunDirectory.PARETO));
        assertTrue(json.contains("\"objectives\"") && json.contains("\"recipe_hash\" : \"v\""), json);
    }
}
