package dev.evomerge.eval.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskFilesTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private TaskException fails(Path yaml) {
        return assertThrows(TaskException.class, () -> Task.load(yaml));
    }

    @Test
    void readsAGenerateTaskWithAllKeys() throws Exception {
        write("sub/d.jsonl", """
                {"prompt": "1+1=", "answer": "2", "split": "search"}

                {"prompt": "2+2=", "answer": 4, "split": "test", "id": 7}
                """);
        Path yaml = write("sub/t.yaml", """
                name: arith
                type: generate
                data: d.jsonl
                metric: number
                max_new_tokens: 12
                stop: ["\\n", "Q:"]
                prefix: "Q: 0+0=\\nA: 0\\n"
                """);
        Task t = Task.load(yaml);
        assertEquals("arith", t.name());
        assertEquals(TaskType.GENERATE, t.type());
        assertEquals(Metric.NUMBER, t.metric());
        assertEquals(12, t.maxNewTokens());
        assertEquals(List.of("\n", "Q:"), t.stop());
        assertEquals("Q: 0+0=\nA: 0\n", t.prefix());
        assertEquals(List.of(new TaskRow.Generate(1, "1+1=", "2", TaskSplit.SEARCH)), t.rows(TaskSplit.SEARCH));
        assertEquals(List.of(new TaskRow.Generate(3, "2+2=", "4", TaskSplit.TEST)), t.rows(TaskSplit.TEST));
        assertEquals(2, t.rows(TaskSplit.ALL).size());
    }

    @Test
    void readsChoiceAndLoglikRowsWithDefaultMetrics() throws Exception {
        write("c.jsonl", "{\"prompt\": \"sky is\", \"choices\": [\" blue\", \" green\"], \"answer\": 0, \"split\": \"test\"}\n");
        Task c = Task.load(write("c.yaml", "name: c\ntype: choice\ndata: c.jsonl\n"));
        assertEquals(Metric.ACCURACY, c.metric());
        assertEquals(new TaskRow.Choice(1, "sky is", List.of(" blue", " green"), 0, TaskSplit.TEST), c.rows().getFirst());
        write("l.jsonl", "{\"text\": \"hello\", \"split\": \"search\"}\n");
        Task l = Task.load(write("l.yaml", "name: l\ntype: loglik\ndata: l.jsonl\n"));
        assertEquals(Metric.LOGLIK, l.metric());
        assertEquals(new TaskRow.Loglik(1, "hello", TaskSplit.SEARCH), l.rows().getFirst());
    }

    private static List<String> loglikRows(int n) {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add("{\"text\": \"row number " + i + "\"}");
        }
        return rows;
    }

    private Map<String, TaskSplit> splitsOf(List<String> rows, String file) throws Exception {
        write(file + ".jsonl", String.join("\n", rows) + "\n");
        Task t = Task.load(write(file + ".yaml", "name: h\ntype: loglik\ndata: " + file + ".jsonl\ntest_fraction: 0.3\n"));
        return t.rows().stream().collect(Collectors.toMap(r -> ((TaskRow.Loglik) r).text(), TaskRow::split));
    }

    @Test
    void hashSplitIsIndependentOfRowOrderAndOtherRows() throws Exception {
        List<String> rows = loglikRows(200);
        Map<String, TaskSplit> a = splitsOf(rows, "a");
        List<String> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(1));
        assertEquals(a, splitsOf(shuffled, "b"));
        Map<String, TaskSplit> half = splitsOf(rows.subList(0, 100), "c");
        half.forEach((text, s) -> assertEquals(a.get(text), s, text));
    }

    @Test
    void hashSplitIgnoresKeyOrderSpacingAndExtraFields() {
        String c1 = TaskFiles.canonical("generate", "p", "a");
        assertEquals(TaskFiles.hashSplit(c1, 0.5), TaskFiles.hashSplit(TaskFiles.canonical("generate", "p", "a"), 0.5));
        assertEquals(TaskSplit.TEST, TaskFiles.hashSplit(c1, 1.0));
        assertEquals(TaskSplit.SEARCH, TaskFiles.hashSplit(c1, 0.0));
    }

    @Test
    void hashSplitSendsAboutTheTestFractionToTest() throws Exception {
        Map<String, TaskSplit> a = splitsOf(loglikRows(1000), "f");
        long test = a.values().stream().filter(s -> s == TaskSplit.TEST).count();
        // Binomial(1000, 0.3): sd ~ 14.5; 5 sd either side.
        assertTrue(test > 227 && test < 373, "test rows: " + test);
    }

    @Test
    void explicitSplitWinsOverTheHash() throws Exception {
        write("e.jsonl", "{\"text\": \"x\", \"split\": \"search\"}\n");
        Task t = Task.load(write("e.yaml", "name: e\ntype: loglik\ndata: e.jsonl\ntest_fraction: 1.0\n"));
        assertEquals(TaskSplit.SEARCH, t.rows().getFirst().split());
    }

    @Test
    void unknownKeyNamesFileAndLine() throws Exception {
        write("d.jsonl", "{\"text\": \"x\", \"split\": \"test\"}\n");
        Path yaml = write("t.yaml", "name: t\ntype: loglik\ndata: d.jsonl\nmax_tokens: 3\n");
        TaskException e = fails(yaml);
        assertTrue(e.getMessage().startsWith(yaml + ":4: unknown key 'max_tokens'"), e.getMessage());
    }

    @Test
    void anAliasIsRefusedAtItsLine() throws Exception {
        write("d.jsonl", "{\"text\": \"x\", \"split\": \"test\"}\n");
        Path yaml = write("t.yaml", "name: &n t\ntype: loglik\ndata: d.jsonl\nprefix: *n\n");
        assertEquals(yaml + ":4: YAML aliases (*n) are not supported here; write the value out", fails(yaml).getMessage());
    }

    @Test
    void missingDataFileNamesTheYamlLine() throws Exception {
        Path yaml = write("t.yaml", "name: t\ntype: loglik\ndata: nope.jsonl\n");
        TaskException e = fails(yaml);
        assertTrue(e.getMessage().startsWith(yaml + ":3: data file not found: "), e.getMessage());
    }

    @Test
    void rowWithAMissingFieldNamesDataFileAndLine() throws Exception {
        Path data = write("d.jsonl", "{\"prompt\": \"a\", \"answer\": \"b\", \"split\": \"test\"}\n{\"prompt\": \"c\", \"split\": \"test\"}\n");
        TaskException e = fails(write("t.yaml", "name: t\ntype: generate\ndata: d.jsonl\n"));
        assertEquals(data.toAbsolutePath() + ":2: missing field 'answer'", e.getMessage());
    }

    private String rowError(String type, String row) throws Exception {
        write("r.jsonl", row + "\n");
        return fails(write("r.yaml", "name: r\ntype: " + type + "\ndata: r.jsonl\ntest_fraction: 0.5\n")).getMessage();
    }

    @Test
    void badRowsAreOneLineErrorsAtTheirLine() throws Exception {
        Path data = dir.resolve("r.jsonl").toAbsolutePath();
        Function<String, String> at = m -> data + ":1: " + m;
        assertEquals(at.apply("answer 2 is outside choices [0, 2)"),
                rowError("choice", "{\"prompt\": \"p\", \"choices\": [\"a\", \"b\"], \"answer\": 2}"));
        assertEquals(at.apply("missing field 'choices'"), rowError("choice", "{\"prompt\": \"p\", \"answer\": 0}"));
        assertEquals(at.apply("text: expected a string, got 3"), rowError("loglik", "{\"text\": 3}"));
        assertEquals(at.apply("split: expected search or test, got \"dev\""),
                rowError("loglik", "{\"text\": \"t\", \"split\": \"dev\"}"));
        assertEquals(at.apply("expected a JSON object"), rowError("loglik", "[1, 2]"));
        String bad = rowError("loglik", "{\"text\": ");
        assertTrue(bad.startsWith(at.apply("not valid JSON")), bad);
        assertFalse(bad.contains("\n"), bad);
    }

    @Test
    void rowWithoutSplitNeedsATestFraction() throws Exception {
        Path data = write("d.jsonl", "{\"text\": \"x\"}\n");
        TaskException e = fails(write("t.yaml", "name: t\ntype: loglik\ndata: d.jsonl\n"));
        assertEquals(data.toAbsolutePath() + ":1: row has no \"split\" and the task sets no test_fraction", e.getMessage());
    }

    @Test
    void metricOfAnotherTypeIsRejectedAtItsLine() throws Exception {
        write("d.jsonl", "{\"text\": \"x\", \"split\": \"test\"}\n");
        Path yaml = write("t.yaml", "name: t\ntype: loglik\ndata: d.jsonl\nmetric: number\n");
        assertEquals(yaml + ":4: metric number does not score loglik tasks", fails(yaml).getMessage());
    }

    @Test
    void missingRequiredKeyAndBadTypeAreErrors() throws Exception {
        Path yaml = write("t.yaml", "name: t\ndata: d.jsonl\n");
        assertEquals(yaml + ": missing key 'type'", fails(yaml).getMessage());
        Path y2 = write("t2.yaml", "name: t\ntype: essay\ndata: d.jsonl\n");
        assertEquals(y2 + ":2: type: expected generate, choice or loglik, got 'essay'", fails(y2).getMessage());
    }

    @Test
    void contentHashFollowsContentNotLocation() throws Exception {
        String rows = "{\"text\": \"a\", \"split\": \"test\"}\n{\"text\": \"b\", \"split\": \"search\"}\n";
        write("x/d.jsonl", rows);
        write("y/d.jsonl", "\n{\"split\": \"test\",  \"text\": \"a\", \"id\": 1}\n{\"text\": \"b\", \"split\": \"search\"}\n");
        String yaml = "name: h\ntype: loglik\ndata: d.jsonl\n";
        String hx = Task.load(write("x/t.yaml", yaml)).contentHash();
        assertEquals(hx, Task.load(write("y/t.yaml", yaml)).contentHash());
        assertEquals(64, hx.length());
        write("y/d.jsonl", rows.replace("\"b\"", "\"c\""));
        assertFalse(hx.equals(Task.load(write("y/t.yaml", yaml)).contentHash()));
        write("y/d.jsonl", rows);
        assertFalse(hx.equals(Task.load(write("y/t.yaml", yaml + "prefix: p\n")).contentHash()));
    }

    @Test
    void splitSelectionParses() {
        assertEquals(TaskSplit.ALL, TaskSplit.parse("all"));
        assertTrue(TaskSplit.ALL.includes(TaskSplit.TEST));
        assertFalse(TaskSplit.SEARCH.includes(TaskSplit.TEST));
        assertThrows(IllegalArgumentException.class, () -> TaskSplit.parse("dev"));
    }
}
