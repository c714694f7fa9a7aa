package dev.evomerge.eval.harness;

import static dev.evomerge.eval.harness.HarnessFixtures.compile;
import static dev.evomerge.eval.harness.HarnessFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.evomerge.eval.task.TaskException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/** Task files evomerge refuses, each with one line naming the file, the line or row, and the key. */
class HarnessSpecTest {

    @TempDir
    Path dir;

    private Path task(String... extra) {
        write(dir, "t.jsonl", "{\"q\": \"a\", \"a\": \"b\"}", "{\"q\": \"c\", \"a\": \"d\"}");
        List<String> lines = new ArrayList<>(List.of(
                "task: t",
                "dataset_path: json",
                "dataset_kwargs:",
                "  data_files: {test: t.jsonl}",
                "test_split: test",
                "doc_to_text: 'Q: {{q}}'",
                "doc_to_target: '{{a}}'"));
        lines.addAll(List.of(extra));
        return write(dir, "t.yaml", lines.toArray(String[]::new));
    }

    private static String message(Executable e) {
        String m = assertThrows(TaskException.class, e).getMessage();
        assertEquals(-1, m.indexOf('\n'), m);
        return m;
    }

    @Test
    void unknownKeyIsNamedAtItsLine() {
        Path t = task("num_fewshots: 5");
        assertEquals(t + ":8: unknown key 'num_fewshots'", message(() -> HarnessSpec.load(t)).replaceAll(" \\(known.*", ""));
    }

    @Test
    void unsupportedOutputTypeIsRefused() {
        Path t = task("output_type: generate_many");
        String m = message(() -> HarnessSpec.load(t));
        assertEquals(t + ":8: unsupported output type 'generate_many'", m.replaceAll(" \\(supported.*", ""));
    }

    @Test
    void aFunctionTagIsRefusedByNameAtItsLine() {
        Path t = task("process_docs: !function utils.process_docs");
        assertEquals(t + ":8: process_docs: '!function utils.process_docs' runs Python code, which evomerge does not run",
                message(() -> HarnessSpec.load(t)));
    }

    @Test
    void otherSamplersAndClassesAreRefused() {
        Path s = task("fewshot_config: {sampler: balanced}");
        assertEquals(s + ":8: sampler 'balanced' is not supported (supported: default, first_n)",
                message(() -> HarnessSpec.load(s)));
        Path c = task("class: MyTask");
        assertEquals(c + ":8: 'class' is not supported by evomerge (it needs lm-evaluation-harness's Python side)",
                message(() -> HarnessSpec.load(c)));
    }

    @Test
    void aTemplateErrorNamesTheKeyTheRowAndTheExpression() {
        Path t = task();
        write(dir, "t.jsonl", "{\"q\": \"a\", \"a\": \"b\"}", "{\"question\": \"c\", \"a\": \"d\"}");
        assertEquals(t + ":6: doc_to_text: " + dir.resolve("t.jsonl") + ":2: undefined name: q (in 'Q: {{q}}')",
                message(() -> compile(t, null)));
    }

    @Test
    void aMissingDataFileAndAMissingHubSplitNameThePathLookedFor() {
        Path t = task();
        write(dir, "t.yaml", "task: t", "dataset_path: json", "dataset_kwargs:", "  data_files: {test: gone.jsonl}",
                "test_split: test", "doc_to_text: q", "doc_to_target: a");
        assertEquals(t + ":3: data file not found: " + dir.resolve("gone.jsonl"), message(() -> compile(t, null)));
        write(dir, "hub.yaml", "task: h", "dataset_path: openai/gsm8k", "dataset_name: main", "test_split: test",
                "doc_to_text: q", "doc_to_target: a");
        Path hub = dir.resolve("hub.yaml");
        assertEquals(hub + ":2: split 'test' not found: looked for " + dir.resolve("data/openai/gsm8k/main/test.jsonl")
                + " (or .json, .csv)", message(() -> compile(hub, dir.resolve("data"))));
        String noDir = message(() -> compile(hub, null));
        assertEquals(hub + ":2: dataset_path 'openai/gsm8k' is a hub dataset and nothing is downloaded: give --data-dir"
                + " DIR (or EVOMERGE_DATA_DIR) holding DIR/openai/gsm8k/main/test.jsonl", noDir);
    }

    @Test
    void unsupportedMetricAndFilterAreRefused() {
        Path m = task("metric_list: [{metric: bleu}]");
        assertEquals(m + ":8: metric 'bleu' is not supported for generate_until (supported: exact_match)",
                message(() -> HarnessSpec.load(m)));
        Path f = task("filter_list: [{name: x, filter: [{function: majority_vote}]}]");
        assertEquals(f + ":8: x: filter function 'majority_vote' is not supported (supported: regex, take_first,"
                + " remove_whitespace, lowercase, uppercase)", message(() -> HarnessSpec.load(f)));
    }

    @Test
    void anIncludedFilesErrorNamesThatFile() {
        Path base = write(dir, "base.yaml", "output_type: multiple_choice", "doc_to_choice: ['x', 'y']",
                "metric_list: [{metric: exact_match}]");
        write(dir, "t.jsonl", "{\"q\": \"a\", \"a\": 0}");
        Path t = write(dir, "child.yaml", "include: base.yaml", "task: c", "dataset_path: json",
                "dataset_kwargs: {data_files: {test: t.jsonl}}", "test_split: test", "doc_to_text: q", "doc_to_target: a");
        assertEquals(base + ":3: metric 'exact_match' is not supported for multiple_choice (supported: acc, acc_norm)",
                message(() -> HarnessSpec.load(t)));
    }
}
