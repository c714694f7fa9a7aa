package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.results.HistoryRecord;
import dev.evomerge.results.RunDirectory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {

    @TempDir
    Path tmp;
    final StringWriter err = new StringWriter();

    @Test
    void writesTheReportAndPrintsItsPath() throws Exception {
        RunDirectory run = RunDirectory.create(tmp.resolve("run"), "search: {algorithm: ga, generations: 2}\n");
        run.appendHistory(List.of(
                new HistoryRecord(1, 0, new double[] {0.5}, "a", Map.of("lm", 0.3), 0.3, 0.1, false),
                new HistoryRecord(2, 0, new double[] {0.6}, "b", Map.of("lm", 0.4), 0.4, 0.1, false)));
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = Main.run(new PrintWriter(err, true), "report", tmp.resolve("run").toString());
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, code, err.toString());
        Path html = tmp.resolve("run").resolve("report.html");
        assertEquals(html.toString(), out.toString(StandardCharsets.UTF_8).strip());
        assertTrue(Files.readString(html).contains("plots/fitness.png"));
        assertTrue(Files.isRegularFile(tmp.resolve("run/plots/fitness.png")));
    }

    @Test
    void aMissingRunFolderIsAOneLineErrorWithExitCode2() {
        int code = Main.run(new PrintWriter(err, true), "report", tmp.resolve("nope").toString());
        assertEquals(Main.BAD_INPUT, code);
        String message = err.toString().strip();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith("evomerge: ") && message.contains("nope") && message.contains("not a run folder"),
                message);
    }
}
