package dev.evomerge.optimizer.digits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunsCsvTest {
    @TempDir
    Path dir;

    static DigitsExperiment.Run run(String method, long seed, boolean pretrained, double test) {
        return new DigitsExperiment.Run(method, seed, pretrained, 2000, 0.5, test, 12.5,
                List.of(new DigitsExperiment.Point(1000, 0.25, 0.125), new DigitsExperiment.Point(2000, 0.5, test)));
    }

    @Test
    void runsAndCurvesReadBackAsWritten() throws IOException {
        List<DigitsExperiment.Run> written = List.of(run("m2n2", 0, false, 0.875), run("ga", 3, true, 0.6125));
        Path runs = dir.resolve("runs.csv");
        Path curves = dir.resolve("curves.csv");
        StringBuilder r = new StringBuilder(RunsCsv.RUNS_HEADER);
        StringBuilder c = new StringBuilder(RunsCsv.CURVES_HEADER);
        for (DigitsExperiment.Run w : written) {
            r.append(RunsCsv.runLine(w));
            c.append(RunsCsv.curveLines(w));
        }
        Files.writeString(runs, r);
        Files.writeString(curves, c);
        List<DigitsExperiment.Run> read = RunsCsv.read(runs, curves);
        assertEquals(2, read.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(written.get(i).method(), read.get(i).method());
            assertEquals(written.get(i).seed(), read.get(i).seed());
            assertEquals(written.get(i).pretrained(), read.get(i).pretrained());
            assertEquals(written.get(i).testAccuracy(), read.get(i).testAccuracy(), 1e-4);
            assertEquals(written.get(i).curve(), read.get(i).curve());
        }
    }

    @Test
    void aRunWithoutCurveLinesGetsAnEmptyCurve() throws IOException {
        Path runs = dir.resolve("runs.csv");
        Files.writeString(runs, RunsCsv.RUNS_HEADER + RunsCsv.runLine(run("cma-es", 1, false, 0.8)));
        Path curves = dir.resolve("curves.csv");
        Files.writeString(curves, RunsCsv.CURVES_HEADER + RunsCsv.curveLines(run("cma-es", 2, false, 0.8)));
        List<DigitsExperiment.Run> read = RunsCsv.read(runs, curves);
        assertEquals(1, read.size());
        assertTrue(read.getFirst().curve().isEmpty());
    }

    @Test
    void aBadLineIsReportedWithFileAndLine() throws IOException {
        Path runs = dir.resolve("runs.csv");
        Files.writeString(runs, RunsCsv.RUNS_HEADER + "scratch,m2n2,zero,1,1,1,1,1\n");
        var e = assertThrows(IllegalArgumentException.class, () -> RunsCsv.read(runs, dir.resolve("none.csv")));
        assertTrue(e.getMessage().contains("runs.csv line 2"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void firstSeedSelectsTheSeedsAndAppends() {
        DigitsBench.Options o = DigitsBench.parse(new String[] {"--first-seed", "4", "--seeds", "3"});
        assertEquals(4, o.firstSeed());
        assertEquals(3, o.seeds());
        assertTrue(o.append());
        assertFalse(DigitsBench.parse(new String[] {"--seeds", "3"}).append());
    }

    @Test
    void initChoosesTheStartingVectors() {
        assertFalse(DigitsBench.parse(new String[0]).referenceInit());
        assertTrue(DigitsBench.parse(new String[] {"--init", "reference"}).referenceInit());
        assertFalse(DigitsBench.parse(new String[] {"--init", "own"}).referenceInit());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DigitsBench.parse(new String[] {"--init", "jax"}));
        assertTrue(e.getMessage().contains("--init"), e.getMessage());
    }
}
