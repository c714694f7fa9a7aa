package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TasksCommandTest {

    @TempDir
    Path tmp;

    private final StringWriter err = new StringWriter();

    private String show(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String[] all = new String[args.length + 2];
            all[0] = "tasks";
            all[1] = "show";
            System.arraycopy(args, 0, all, 2, args.length);
            assertEquals(0, Main.run(new PrintWriter(err, true), all), err.toString());
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showsTheOwnFormatsRowsOfTheSplitAsked() throws IOException {
        Files.writeString(tmp.resolve("rows.jsonl"), """
                {"prompt": "2+3=", "answer": "5", "split": "test"}
                {"prompt": "4+4=", "answer": "8", "split": "search"}
                {"prompt": "1+6=", "answer": "7", "split": "test"}
                """);
        Files.writeString(tmp.resolve("add.yaml"), "name: add\ntype: generate\ndata: rows.jsonl\nmetric: exact\n");
        String out = show(tmp.resolve("add.yaml").toString(), "--limit", "1");
        assertTrue(out.contains("task add (generate); metric: exact; 2 test rows"), out);
        assertTrue(out.contains("2+3=") && out.contains("--- answer: [\"5\"]"), out);
        assertFalse(out.contains("1+6="), "--limit 1 prints one row: " + out);
        assertFalse(out.contains("4+4="), "a search row is not a test row: " + out);
        assertTrue(show(tmp.resolve("add.yaml").toString(), "--split", "search").contains("4+4="));
    }
}
