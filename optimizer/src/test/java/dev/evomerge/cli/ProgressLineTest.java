package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private static final long S = 1_000_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream terminal = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong();

    private ProgressLine bar(long max, long initial) {
        return ProgressLine.onTerminal("search", max, initial, ProgressLine.Unit.of("gen"), now::get, terminal);
    }

    @Test
    void aLogLineWrittenWhileTheBarIsShownGoesOnItsOwnLineAboveIt() {
        try (ProgressLine bar = bar(20, 0)) {
            now.set(10 * S);
            bar.stepTo(5);
            System.err.println("gen 6 | best 0.5");
            System.err.print("partial ");
            System.err.println("line");
            bar.stepTo(6);
        }
        List<String> screen = screen(bytes.toString(StandardCharsets.UTF_8));
        assertEquals("gen 6 | best 0.5", screen.get(0).strip());
        assertEquals("partial line", screen.get(1).strip());
        assertTrue(screen.get(2).startsWith("search  30% [========"), screen.get(2));
        screen.forEach(l -> assertFalse(l.contains("gen 6") && l.contains("["), "log line beside the bar: " + l));
    }

    @Test
    void closingRestoresStandardError() {
        PrintStream before = System.err;
        try (ProgressLine bar = bar(2, 0)) {
            assertFalse(System.err == before);
        }
        assertSame(before, System.err);
    }

    @Test
    void theEstimateComesFromCompletedUnitsAndDoesNotGrowWhileOneRuns() {
        try (ProgressLine bar = bar(20, 0)) {
            now.set(100 * S);
            bar.stepTo(5);                       // 20 s a unit, 15 left
            assertTrue(bar.render().contains("ETA 0:05:00"), bar.render());
            now.set(160 * S);                    // a minute into the sixth unit
            assertTrue(bar.render().contains("ETA 0:04:00"), bar.render());
            now.set(1000 * S);                   // a unit far slower than the others: no negative time
            assertTrue(bar.render().contains("ETA 0:00:00"), bar.render());
        }
    }

    @Test
    void aResumedBarTimesOnlyTheUnitsDoneSinceItOpened() {
        try (ProgressLine bar = bar(20, 5)) {
            assertTrue(bar.render().contains("ETA ?"), bar.render());
            now.set(10 * S);
            bar.stepTo(6);                       // 10 s for one unit, 14 left
            assertTrue(bar.render().contains("ETA 0:02:20"), bar.render());
        }
    }

    @Test
    void scaledUnitsAndSpeed() {
        try (ProgressLine bar = ProgressLine.onTerminal("merge", 4_000_000, 0,
                new ProgressLine.Unit("MB", 1_000_000, true), now::get, terminal)) {
            now.set(2 * S);
            bar.stepTo(2_000_000);
            String line = bar.render();
            assertTrue(line.startsWith("merge  50% ["), line);
            assertTrue(line.contains("] 2/4 MB"), line);
            assertTrue(line.contains("1.0 MB/s"), line);
        }
    }

    /** What a terminal shows after {@code out}: a carriage return goes back to the line's start and overwrites. */
    static List<String> screen(String out) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int col = 0;
        for (char c : out.toCharArray()) {
            if (c == '\r') {
                col = 0;
            } else if (c == '\n') {
                lines.add(line.toString());
                line.setLength(0);
                col = 0;
            } else {
                if (col < line.length()) {
                    line.setCharAt(col, c);
                } else {
                    line.append(c);
                }
                col++;
            }
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}
